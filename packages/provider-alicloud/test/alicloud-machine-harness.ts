import type { MachineConformanceSubject } from '@trellis/testkit';
import {
  type AlicloudMachineClass,
  type AlicloudProviderSettings,
  createAlicloudMachines,
} from '../src/index.js';
import { type EcsFake, FAKE_ACCESS_KEY, startEcsFake } from '../src/testing/index.js';

export const REGION = 'eu-central-1';

/** A machine class as Gardener's worker controller writes it. */
export const SPEC: AlicloudMachineClass = {
  imageID: 'm-gw8abc',
  instanceType: 'ecs.g7.large',
  region: REGION,
  zoneID: `${REGION}a`,
  vSwitchID: 'vsw-nodes',
  securityGroupID: 'sg-nodes',
  keyPairName: 'shoot--p--c-ssh',
  systemDisk: { category: 'cloud_essd', size: 50 },
  dataDisks: [{ name: 'data', category: 'cloud_essd', size: 100 }],
  internetChargeType: 'PayByTraffic',
  spotStrategy: 'NoSpot',
  tags: { 'kubernetes.io/cluster/shoot--p--c': '1', 'kubernetes.io/role/worker/shoot--p--c': '1' },
};

/** Settings of a provider on the fake. */
export function fakeSettings(
  fake: EcsFake,
  extra: Partial<AlicloudProviderSettings> = {},
): AlicloudProviderSettings {
  return {
    region: REGION,
    credentials: FAKE_ACCESS_KEY,
    endpoints: { ecs: fake.url },
    listPageSize: 10,
    batchWindowMs: 5,
    ...extra,
  };
}

/** Instances of the fake that carry the cluster's tag (and the name). */
export function vmsOf(fake: EcsFake, cluster: string, name?: string): number {
  return fake
    .instances()
    .filter((instance) => instance.Tags[`kubernetes.io/cluster/${cluster}`] === '1')
    .filter((instance) => name === undefined || instance.InstanceName === name).length;
}

/** A conformance subject on a fresh fake; `arrange` adds faults. */
export async function machineSubject(
  arrange: (fake: EcsFake) => void = () => {},
  settings: Partial<AlicloudProviderSettings> = {},
): Promise<MachineConformanceSubject<AlicloudMachineClass>> {
  const fake = await startEcsFake({ pendingMs: 20 });
  arrange(fake);
  return {
    provider: createAlicloudMachines(fakeSettings(fake, settings)),
    spec: SPEC,
    invalidSpecs: [
      { spec: { ...SPEC, imageID: '' }, path: 'imageID' },
      {
        spec: { ...SPEC, dataDisks: [{ name: 'data', category: 'cloud_essd', size: 5 }] },
        path: 'dataDisks[0].size',
      },
      { spec: { ...SPEC, region: 'cn-hangzhou', zoneID: 'cn-hangzhou-b' }, path: 'region' },
    ],
    countVms: async (cluster, name) => vmsOf(fake, cluster, name),
    callCount: () => fake.calls.count(),
    cleanup: () => fake.close(),
  };
}
