import type { MachineConformanceSubject } from '@trellis/testkit';
import { createGcpMachineProvider, createGcpProviderContext, type GcpMachineClass } from '../src/index.js';
import { type GceFake, startGceFake } from '../src/testing/index.js';

export const PROJECT = 'trellis-test';
export const REGION = 'europe-west1';
export const ZONE = 'europe-west1-b';

/** A valid machine class of `cluster` (its cluster network tag included, as Gardener's are). */
export function machineClass(cluster: string, extra: Partial<GcpMachineClass> = {}): GcpMachineClass {
  return {
    machineType: 'n2-standard-2',
    region: REGION,
    zone: ZONE,
    canIpForward: false,
    deletionProtection: false,
    disks: [
      {
        boot: true,
        type: 'pd-balanced',
        sizeGb: 50,
        image: 'projects/debian-cloud/global/images/family/debian-12',
      },
    ],
    networkInterfaces: [{ subnetwork: `${cluster}-nodes`, disableExternalIP: true }],
    tags: [`kubernetes-io-cluster-${cluster}`, 'kubernetes-io-role-node'],
    ...extra,
  };
}

/** A provider context pointed at the fake, with fast operation polls and a small page size. */
export function contextFor(fake: GceFake, overrides: Record<string, unknown> = {}) {
  return createGcpProviderContext({
    project: PROJECT,
    region: REGION,
    credentials: 'none',
    endpoints: { compute: fake.url },
    operationPollMs: 5,
    listPageSize: 5,
    maxAttempts: 10,
    rateLimits: {
      read: { capacity: 10_000, refillPerSecond: 10_000 },
      list: { capacity: 10_000, refillPerSecond: 10_000 },
      mutate: { capacity: 10_000, refillPerSecond: 10_000 },
    },
    ...overrides,
  });
}

/** The conformance subject: the provider on a fresh fake, VMs counted from the fake's own state. */
export async function machineSubject(
  options: { faults?: (fake: GceFake) => void } = {},
): Promise<MachineConformanceSubject<GcpMachineClass>> {
  const fake = await startGceFake({ operationPolls: 2 });
  options.faults?.(fake);
  const context = contextFor(fake);
  const spec = machineClass('conformance');
  return {
    provider: createGcpMachineProvider(context),
    spec,
    invalidSpecs: [
      { spec: { ...spec, machineType: '' }, path: 'machineType' },
      { spec: { ...spec, disks: [] }, path: 'disks' },
      { spec: { ...spec, disks: [{ ...spec.disks[0], image: undefined }] }, path: 'disks[0].image' },
      { spec: { ...spec, networkInterfaces: [] }, path: 'networkInterfaces' },
      {
        spec: { ...spec, gpu: { acceleratorType: 'nvidia-t4', count: 1 } },
        path: 'scheduling.onHostMaintenance',
      },
      { spec: { ...spec, tags: ['kubernetes-io-role-node'] }, path: 'tags' },
    ],
    countVms: async (cluster, name) =>
      fake
        .instances()
        .filter(
          (instance) =>
            instance.labels?.['k8s-cluster-name'] === cluster && (!name || instance.name === name),
        ).length,
    callCount: () => fake.calls.count(),
    cleanup: async () => {
      await context.clients.close();
      await fake.close();
    },
  };
}
