import { iam_v1 } from '@googleapis/iam';
import { GoogleAuth, PassThroughClient } from 'google-auth-library';
import type { GcpClients } from './gcp-settings.js';

// Loads @googleapis/iam: import this module only where service accounts are managed.

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** The IAM API client (service accounts), built once per provider. */
export function iamClient(clients: GcpClients): iam_v1.Iam {
  const built = clients.client('iam', (options) => {
    const auth = options.anonymous
      ? new PassThroughClient()
      : new GoogleAuth({
          scopes: [CLOUD_PLATFORM],
          ...(options.credentials ? { credentials: options.credentials } : {}),
          ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
        });
    const client = new iam_v1.Iam({
      // google-auth-library's clients are what googleapis-common calls (`request`, headers).
      auth: auth as never,
      ...(options.iamEndpoint ? { rootUrl: options.iamEndpoint } : {}),
      // One attempt per call: the provider's API retries.
      retry: false,
    });
    return Object.assign(client, { close: async () => {} });
  });
  return built;
}
