import { InstancesClient, ZoneOperationsClient } from '@google-cloud/compute';
import { PassThroughClient } from 'google-auth-library';
import type { GcpClientOptions, GcpClients } from './gcp-settings.js';

// Loads @google-cloud/compute: import this module only where Compute Engine is called.

function sdkOptions(options: GcpClientOptions) {
  return {
    projectId: options.projectId,
    ...(options.apiEndpoint
      ? { apiEndpoint: options.apiEndpoint, port: options.port, protocol: options.protocol }
      : {}),
    // An emulator or fake: no token, and no Application Default Credentials lookup (whose failure
    // would otherwise surface as an unhandled rejection inside the SDK).
    ...(options.anonymous ? { authClient: new PassThroughClient() } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
  };
}

/** Per-call options: one attempt (retries are the kit's), a bounded wait. */
export const CALL_OPTIONS = { retry: null, timeout: 60_000 } as const;

export function instancesClient(clients: GcpClients): InstancesClient {
  return clients.client('instances', (options) => new InstancesClient(sdkOptions(options)));
}

export function zoneOperationsClient(clients: GcpClients): ZoneOperationsClient {
  return clients.client('zoneOperations', (options) => new ZoneOperationsClient(sdkOptions(options)));
}
