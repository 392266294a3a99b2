import { ResourceManagementClient } from '@azure/arm-resources';
import { clientOptions } from './azure-client-options.js';
import { credentialOf } from './azure-credentials.js';
import type { AzureProviderContext } from './azure-settings.js';

// Loads @azure/arm-resources: import this module only where resource groups are managed.

export function resourcesClient(context: AzureProviderContext): ResourceManagementClient {
  return context.clients.client(
    'resources',
    () =>
      new ResourceManagementClient(
        credentialOf(context),
        context.subscriptionId,
        clientOptions(context) as never,
      ),
  );
}
