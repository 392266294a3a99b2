import {
  AddressesClient,
  FirewallsClient,
  GlobalOperationsClient,
  InstancesClient,
  NetworksClient,
  RegionOperationsClient,
  RoutersClient,
  SubnetworksClient,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import { PassThroughClient } from 'google-auth-library';
import type { GcpClientOptions, GcpClients } from './gcp-settings.js';

// Loads @google-cloud/compute: import this module only where Compute Engine is called.

export function sdkOptions(options: GcpClientOptions) {
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

export function regionOperationsClient(clients: GcpClients): RegionOperationsClient {
  return clients.client('regionOperations', (options) => new RegionOperationsClient(sdkOptions(options)));
}

export function globalOperationsClient(clients: GcpClients): GlobalOperationsClient {
  return clients.client('globalOperations', (options) => new GlobalOperationsClient(sdkOptions(options)));
}

/** The clients of the infrastructure provider. */
export function networkClients(clients: GcpClients) {
  return {
    networks: clients.client('networks', (options) => new NetworksClient(sdkOptions(options))),
    subnetworks: clients.client('subnetworks', (options) => new SubnetworksClient(sdkOptions(options))),
    routers: clients.client('routers', (options) => new RoutersClient(sdkOptions(options))),
    firewalls: clients.client('firewalls', (options) => new FirewallsClient(sdkOptions(options))),
    addresses: clients.client('addresses', (options) => new AddressesClient(sdkOptions(options))),
  };
}
