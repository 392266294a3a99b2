import { ResourceManagementClient } from '@azure/arm-resources';
import { DefaultAzureCredential } from '@azure/identity';
import {
  backupStoreConformance,
  infrastructureProviderConformance,
  machineProviderConformance,
} from '@trellis/testkit';
import { describe } from 'vitest';
import { type AzureMachineClass, createAzureProvider, ensureBlobContainer } from '../src/index.js';
import { invalidConfigs, zonedConfig } from './azure-infrastructure-harness.js';

// Against real Azure only when asked: TRELLIS_AZURE_LIVE=1, AZURE_SUBSCRIPTION_ID and credentials
// DefaultAzureCredential finds (AZURE_CLIENT_ID/SECRET/TENANT_ID, workload identity, az login).
const live = process.env.TRELLIS_AZURE_LIVE === '1';
const subscriptionId = process.env.AZURE_SUBSCRIPTION_ID ?? '';
const location = process.env.TRELLIS_AZURE_LOCATION ?? 'westeurope';
const machineClassJson = process.env.TRELLIS_AZURE_MACHINE_CLASS;
const storage = process.env.TRELLIS_AZURE_STORAGE_CONNECTION_STRING;

describe.skipIf(!live)(
  'live Azure (set TRELLIS_AZURE_LIVE=1 and AZURE_SUBSCRIPTION_ID to run; creates resource groups, VNets, NAT gateways, VMs and blobs)',
  () => {
    infrastructureProviderConformance({
      name: `Azure infrastructure against real Azure in ${location}`,
      timeoutMs: 3_600_000,
      skip: {
        'interrupted-reconcile-resumes':
          'one run per step of resource-group deletes takes too long on Azure; run against the fake',
      },
      async setup() {
        const provider = createAzureProvider({ subscriptionId, location });
        const resources = new ResourceManagementClient(new DefaultAzureCredential(), subscriptionId);
        return {
          provider: provider.infrastructure,
          region: location,
          config: zonedConfig(),
          zones: ['1', '2'],
          invalidConfigs,
          inventory: async () => {
            const ids: string[] = [];
            for await (const group of resources.resourceGroups.list()) ids.push(group.id ?? '');
            for await (const resource of resources.resources.list()) ids.push(resource.id ?? '');
            return ids.sort();
          },
        };
      },
    });

    describe.skipIf(!machineClassJson)(
      'machines (set TRELLIS_AZURE_MACHINE_CLASS to a machine class in an existing subnet)',
      () => {
        machineProviderConformance<AzureMachineClass>({
          name: `Azure machines against real Azure in ${location}`,
          timeoutMs: 3_600_000,
          async setup() {
            const provider = createAzureProvider({ subscriptionId, location });
            const spec = provider.machines.validateSpec(JSON.parse(machineClassJson ?? '{}'));
            return {
              provider: provider.machines,
              spec,
              invalidSpecs: [{ spec: { ...spec, location: '' }, path: 'location' }],
              countVms: async (cluster, name) => {
                let count = 0;
                for await (const machine of provider.machines.listMachines({ cluster }))
                  if (!name || machine.name === name) count += 1;
                return count;
              },
            };
          },
        });
      },
    );

    describe.skipIf(!storage)('backups (set TRELLIS_AZURE_STORAGE_CONNECTION_STRING)', () => {
      backupStoreConformance({
        name: 'Azure Blob backup store against a real storage account',
        async setup() {
          const provider = createAzureProvider({ subscriptionId, location });
          const config = {
            container: 'trellis-conformance',
            prefix: `run-${Date.now()}`,
            account: { connectionString: storage ?? '' },
          };
          await ensureBlobContainer(provider, config);
          return { store: provider.backupStore(config) };
        },
      });
    });
  },
);
