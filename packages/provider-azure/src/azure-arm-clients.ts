import { rootCertificates } from 'node:tls';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { credentialOf } from './azure-credentials.js';
import { AZURE_CLOUDS, type AzureProviderContext } from './azure-settings.js';

// Loads @azure/arm-compute and @azure/arm-network (and, through the credential, @azure/identity): import this module only where ARM is called.

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
