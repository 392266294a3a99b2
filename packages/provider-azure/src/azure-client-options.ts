import { rootCertificates } from 'node:tls';
import { AZURE_CLOUDS, type AzureProviderContext } from './azure-settings.js';

/**
 * Client options: the endpoint, a fake's CA trusted besides the system's, and no SDK retries
 * (the provider's API retries, rate limited, honouring `Retry-After`).
 */
export function clientOptions(context: AzureProviderContext) {
  const { tlsCa } = context.settings;
  return {
    endpoint: context.resourceManager,
    retryOptions: { maxRetries: 0 },
    ...(tlsCa ? { tlsOptions: { ca: [...rootCertificates, tlsCa] } } : {}),
    credentials: { scopes: [`${AZURE_CLOUDS[context.settings.cloud].resourceManager}/.default`] },
  };
}
