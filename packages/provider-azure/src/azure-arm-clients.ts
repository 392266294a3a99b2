import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { clientOptions } from './azure-client-options.js';
import { credentialOf } from './azure-credentials.js';
import type { AzureProviderContext } from './azure-settings.js';

// Loads @azure/arm-compute and @azure/arm-network (and, through the credential, @azure/identity): import this module only where ARM is called.

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
