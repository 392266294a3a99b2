import { rootCertificates } from 'node:tls';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { AZURE_CLOUDS, type AzureProviderContext } from './azure-settings.js';

// Loads @azure/arm-compute, @azure/arm-network and @azure/identity: import this module only where ARM is called.

/** A credential that hands out one fixed token (tests, fakes). */
export function staticTokenCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/** The credential of the settings: a static token, a client secret, a given one, or the default chain. */
export function credentialOf(context: AzureProviderContext): TokenCredential {
  return context.clients.client('credential', () => {
    const { credentials, tenantId, cloud } = context.settings;
    const authorityHost = AZURE_CLOUDS[cloud].authorityHost;
    if (!credentials) return new DefaultAzureCredential({ authorityHost });
    if ('token' in credentials) return staticTokenCredential(credentials.token);
    if ('clientSecret' in credentials) {
      return new ClientSecretCredential(tenantId!, credentials.clientId, credentials.clientSecret, {
        authorityHost,
      });
    }
    return credentials;
  });
}

/**
 * Client options: the endpoint, a fake's CA trusted besides the system's, and no SDK retries
 * (the provider's API retries, rate limited, honouring `Retry-After`).
 */
function clientOptions(context: AzureProviderContext) {
  const { tlsCa } = context.settings;
  return {
    endpoint: context.resourceManager,
    retryOptions: { maxRetries: 0 },
    ...(tlsCa ? { tlsOptions: { ca: [...rootCertificates, tlsCa] } } : {}),
    credentials: { scopes: [`${AZURE_CLOUDS[context.settings.cloud].resourceManager}/.default`] },
  };
}

export function computeClient(context: AzureProviderContext): ComputeManagementClient {
  return context.clients.client(
    'compute',
    () =>
      new ComputeManagementClient(
        credentialOf(context),
        context.subscriptionId,
        clientOptions(context) as never,
      ),
  );
}

export function networkClient(context: AzureProviderContext): NetworkManagementClient {
  return context.clients.client(
    'network',
    () =>
      new NetworkManagementClient(
        credentialOf(context),
        context.subscriptionId,
        clientOptions(context) as never,
      ),
  );
}
