import type { MachineConformanceSubject } from '@trellis/testkit';
import { createAzureApi } from '../src/azure-api.js';
import { networkClient } from '../src/azure-arm-clients.js';
import {
  type AzureMachineClass,
  type AzureProviderContext,
  createAzureMachineProvider,
  createAzureProviderContext,
} from '../src/index.js';
import { type ArmFake, type ArmFakeOptions, startArmFake } from '../src/testing/index.js';

export const SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
export const LOCATION = 'westeurope';
export const GROUP = 'shoot--test';

/** A valid machine class (Gardener's shape) in the fake's VNet. */
export function machineClass(
  cluster = 'conformance',
  extra: Partial<AzureMachineClass['properties']> = {},
): AzureMachineClass {
  return {
    location: LOCATION,
    subnetInfo: { vnetName: 'shoot--test', subnetName: 'shoot--test-nodes', vnetResourceGroup: GROUP },
    tags: { Name: cluster, [`kubernetes.io-cluster-${cluster}`]: '1', 'kubernetes.io-role-node': '1' },
    properties: {
      hardwareProfile: { vmSize: 'Standard_D2s_v5' },
      storageProfile: {
        imageReference: { urn: 'gardenlinux:greenhouse:gardenlinux:1877.3.0' },
        osDisk: {
          diskSizeGB: 50,
          createOption: 'FromImage',
          caching: 'None',
          managedDisk: { storageAccountType: 'Premium_LRS' },
        },
      },
      osProfile: {
        adminUsername: 'core',
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: {
            publicKeys: {
              path: '/home/core/.ssh/authorized_keys',
              keyData: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx8 test',
            },
          },
        },
      },
      zone: 1,
      ...extra,
    },
  };
}

/** A provider context against the fake: its CA trusted, millisecond polls and retries, generous buckets. */
export function contextFor(fake: ArmFake, maxAttempts = 12): AzureProviderContext {
  const context = createAzureProviderContext({
    subscriptionId: SUBSCRIPTION,
    location: LOCATION,
    credentials: { token: 'fake-token' },
    endpoints: { resourceManager: fake.url },
    tlsCa: fake.ca,
    operationPollMs: 2,
  });
  const generous = { capacity: 100_000, refillPerSecond: 100_000 };
  return {
    ...context,
    api: createAzureApi({
      rateLimits: { read: generous, write: generous, delete: generous },
      maxAttempts,
      baseDelayMs: 2,
      maxDelayMs: 20,
    }),
  };
}

/** A fake with the resource group and the VNet with its nodes subnet (made through the network SDK). */
export async function startFakeWithNetwork(options: ArmFakeOptions = {}): Promise<ArmFake> {
  // One resource group per cluster, as Gardener has it: the groups of the suite's clusters just exist.
  const fake = await startArmFake({
    pageSize: 5,
    retryAfterSeconds: 0,
    autoResourceGroups: LOCATION,
    ...options,
  });
  fake.createResourceGroup(SUBSCRIPTION, GROUP, LOCATION);
  await networkClient(contextFor(fake)).virtualNetworks.createOrUpdate(
    GROUP,
    'shoot--test',
    {
      location: LOCATION,
      addressSpace: { addressPrefixes: ['10.250.0.0/16'] },
      subnets: [{ name: 'shoot--test-nodes', addressPrefix: '10.250.0.0/16' }],
    },
    { updateIntervalInMs: 1 },
  );
  return fake;
}

/** The machines' VMs in the fake, by cluster (and name). */
export function countVms(fake: ArmFake, cluster: string, name?: string): number {
  return fake
    .resources()
    .filter((resource) => resource.type === 'Microsoft.Compute/virtualMachines')
    .filter(
      (vm) => Object.hasOwn(vm.tags ?? {}, `kubernetes.io-cluster-${cluster}`) && (!name || vm.name === name),
    ).length;
}

/** The conformance subject on a fresh fake. */
export async function machineSubject(
  options: { faults?: (fake: ArmFake) => void } = {},
): Promise<MachineConformanceSubject<AzureMachineClass>> {
  const fake = await startFakeWithNetwork();
  options.faults?.(fake);
  const spec = machineClass();
  const properties = spec.properties;
  return {
    provider: createAzureMachineProvider(contextFor(fake)),
    spec,
    invalidSpecs: [
      { spec: { ...spec, location: '' }, path: 'location' },
      {
        spec: { ...spec, properties: { ...properties, hardwareProfile: { vmSize: '' } } },
        path: 'properties.hardwareProfile.vmSize',
      },
      { spec: { ...spec, tags: { 'kubernetes.io-role-node': '1' } }, path: 'tags' },
      {
        spec: {
          ...spec,
          properties: { ...properties, storageProfile: { ...properties.storageProfile, imageReference: {} } },
        },
        path: 'properties.storageProfile.imageReference',
      },
      {
        spec: {
          ...spec,
          properties: {
            ...properties,
            storageProfile: { ...properties.storageProfile, imageReference: { urn: 'a:b:c' } },
          },
        },
        path: 'properties.storageProfile.imageReference.urn',
      },
      { spec: { ...spec, properties: { ...properties, zone: undefined } }, path: 'properties.zone' },
    ],
    countVms: async (cluster, name) => countVms(fake, cluster, name),
    callCount: () => fake.calls.count(),
    cleanup: () => fake.close(),
  };
}
