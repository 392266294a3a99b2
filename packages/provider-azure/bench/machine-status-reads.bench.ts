// API calls to read the status of 1,000 machines: Trellis (concurrent getMachine calls, batched into
// the paged lists of VMs, NICs and disks of the cluster's resource group) vs one virtualMachines.get
// per VM (what a naive driver does). Target: at most 6 calls (3 lists of at most 2 pages).
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import {
  createAzureApi,
  createAzureMachineProvider,
  createAzureProviderContext,
} from '@trellis/provider-azure';
import { startArmFake } from '@trellis/provider-azure/testing';

const MACHINES = 1000;
const SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
const cluster = 'bench-status';
const fake = await startArmFake({ operationPolls: 0, pageSize: 500, autoResourceGroups: 'westeurope' });
const settings = {
  subscriptionId: SUBSCRIPTION,
  location: 'westeurope',
  credentials: { token: 'fake' },
  endpoints: { resourceManager: fake.url },
  tlsCa: fake.ca,
  operationPollMs: 1,
};
const generous = { capacity: 100_000, refillPerSecond: 100_000 };
const context = {
  ...createAzureProviderContext(settings),
  api: createAzureApi({ rateLimits: { read: generous, write: generous, delete: generous } }),
};
try {
  const credential = {
    getToken: async () => ({ token: 'fake', expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  const clientOptions = { endpoint: fake.url, tlsOptions: { ca: fake.ca } } as never;
  await new NetworkManagementClient(credential, SUBSCRIPTION, clientOptions).virtualNetworks.createOrUpdate(
    cluster,
    cluster,
    {
      location: 'westeurope',
      addressSpace: { addressPrefixes: ['10.250.0.0/16'] },
      subnets: [{ name: `${cluster}-nodes`, addressPrefix: '10.250.0.0/16' }],
    },
    { updateIntervalInMs: 1 },
  );
  const provider = createAzureMachineProvider(context);
  const spec = {
    location: 'westeurope',
    subnetInfo: { vnetName: cluster, subnetName: `${cluster}-nodes` },
    tags: { [`kubernetes.io-cluster-${cluster}`]: '1', 'kubernetes.io-role-node': '1' },
    properties: {
      hardwareProfile: { vmSize: 'Standard_D2s_v5' },
      storageProfile: {
        imageReference: { urn: 'gardenlinux:greenhouse:gardenlinux:1877.3.0' },
        osDisk: {
          diskSizeGB: 50,
          createOption: 'FromImage',
          managedDisk: { storageAccountType: 'Premium_LRS' },
        },
      },
      osProfile: { adminUsername: 'core', linuxConfiguration: { disablePasswordAuthentication: true } },
      zone: 1,
    },
  };
  const refs: Array<{ name: string; providerId: string }> = [];
  for (let start = 0; start < MACHINES; start += 100) {
    const batch = await Promise.all(
      Array.from({ length: 100 }, (_, offset) =>
        provider.createMachine({ cluster, name: `worker-${start + offset}`, spec: spec as never }),
      ),
    );
    refs.push(...batch.map((machine) => ({ name: machine.name, providerId: machine.providerId })));
  }

  fake.calls.reset();
  let started = performance.now();
  const machines = await Promise.all(refs.map((ref) => provider.getMachine({ cluster, ...ref })));
  const trellisMs = performance.now() - started;
  const trellisCalls = fake.calls.count();
  if (machines.length !== MACHINES || machines.some((machine) => machine.phase !== 'Running'))
    throw new Error('bad read');

  const plain = new ComputeManagementClient(credential, SUBSCRIPTION, clientOptions);
  fake.calls.reset();
  started = performance.now();
  for (let start = 0; start < MACHINES; start += 100) {
    await Promise.all(
      refs.slice(start, start + 100).map((ref) => plain.virtualMachines.get(cluster, ref.name)),
    );
  }
  const naiveMs = performance.now() - started;
  const naiveCalls = fake.calls.count();
  console.log(
    `read status of ${MACHINES} machines: calls trellis=${trellisCalls} one-get-per-vm=${naiveCalls} ratio=${(trellisCalls / naiveCalls).toFixed(3)} ` +
      `(target: at most 6 calls) ${trellisCalls <= 6 ? 'MET' : 'MISSED'}`,
  );
  console.log(`  wall time: trellis ${trellisMs.toFixed(0)} ms, one-get-per-vm ${naiveMs.toFixed(0)} ms`);
} finally {
  await fake.close();
}
