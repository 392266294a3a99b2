import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { AZURE_CLOUDS, type AzureProviderContext } from './azure-settings.js';

// Loads @azure/identity: import this module only where a credential is needed.

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
