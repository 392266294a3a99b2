import { type InfrastructureState, TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcpInfrastructureConfig } from '../src/index.js';
import {
  computeCall,
  type InfrastructureHarness,
  inventoryOf,
  managedConfig,
  PROJECT,
  REGION,
  startInfrastructureHarness,
} from './gcp-infrastructure-harness.js';

let harness: InfrastructureHarness;
beforeAll(async () => {
  harness = await startInfrastructureHarness();
});
afterAll(() => harness.close());

const regional = (collection: string, name: string) =>
  `projects/${PROJECT}/regions/${REGION}/${collection}/${name}`;
const nat = (cluster: string) =>
  ((harness.fake.resources().get(regional('routers', `${cluster}-cloud-router`))?.nats as Array<
    Record<string, unknown>
  >) ?? [])[0];

async function reconcile(cluster: string, config: GcpInfrastructureConfig, state?: InfrastructureState) {
  return harness.provider.reconcile({ cluster, region: REGION, config, ...(state ? { state } : {}) });
}

describe('GCP infrastructure updates', () => {
  it('rejects changes Gardener forbids, with their paths, before any call', async () => {
    const { state } = await reconcile('immutable', managedConfig({ serviceAccount: 'create' }));
    const before = harness.fake.calls.count();
    const attempt = (config: GcpInfrastructureConfig) =>
      reconcile('immutable', config, state).then(
        () => [] as string[],
        (error: unknown) => {
          expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
          return ((error as TrellisError).issues ?? []).map((issue) => issue.path);
        },
      );
    expect(
      await attempt(managedConfig({ networks: { workers: '10.240.0.0/16', internal: '10.251.0.0/16' } })),
    ).toEqual(['networks.workers']);
    expect(
      await attempt(managedConfig({ networks: { workers: '10.250.0.0/16', internal: '10.252.0.0/16' } })),
    ).toEqual(['networks.internal']);
    expect(
      await attempt(
        managedConfig({ networks: { workers: '10.250.0.0/16', internal: '10.251.0.0/16', mtu: 1500 } }),
      ),
    ).toEqual(['networks.mtu']);
    expect(
      await attempt(
        managedConfig({
          networks: { workers: '10.250.0.0/16', internal: '10.251.0.0/16', vpc: { name: 'other' } },
        }),
      ),
    ).toEqual(['networks.vpc.name']);
    expect(await attempt(managedConfig({ serviceAccount: 'none' }))).toEqual(['serviceAccount']);
    expect(harness.fake.calls.count()).toBe(before);
    await harness.provider.delete({ cluster: 'immutable', region: REGION, config: managedConfig(), state });
  });

  it('turns flow logs on and changes the NAT in place; drops the internal subnet when asked', async () => {
    const first = await reconcile('inplace', managedConfig());
    const subnetPath = regional('subnetworks', 'inplace-nodes');
    expect(harness.fake.resources().get(subnetPath)?.logConfig).toEqual({ enable: false });
    const fingerprint = harness.fake.resources().get(subnetPath)?.fingerprint;

    const changed = managedConfig({
      networks: {
        workers: '10.250.0.0/16',
        flowLogs: { aggregationInterval: 'INTERVAL_1_MIN', flowSampling: 0.2 },
        cloudNAT: { enableDynamicPortAllocation: true, minPortsPerVM: 64, maxPortsPerVM: 4096 },
      },
    });
    const second = await reconcile('inplace', changed, first.state);
    const subnet = harness.fake.resources().get(subnetPath);
    expect(subnet?.logConfig).toEqual({
      enable: true,
      aggregationInterval: 'INTERVAL_1_MIN',
      flowSampling: 0.2,
      metadata: 'EXCLUDE_ALL_METADATA',
    });
    expect(subnet?.fingerprint).not.toBe(fingerprint);
    expect(nat('inplace')).toMatchObject({
      enableDynamicPortAllocation: true,
      minPortsPerVm: 64,
      maxPortsPerVm: 4096,
    });
    expect(harness.fake.resources().has(regional('subnetworks', 'inplace-internal'))).toBe(false);
    expect(second.status.subnetworks.map((entry) => entry.purpose)).toEqual(['nodes']);

    // Nothing changes when nothing changed: no write at all.
    const writes = () =>
      harness.fake.calls.entries.filter((entry) => /insert|update|patch|delete|create/.test(entry.action))
        .length;
    const before = writes();
    await reconcile('inplace', changed, second.state);
    expect(writes()).toBe(before);
    await harness.provider.delete({
      cluster: 'inplace',
      region: REGION,
      config: changed,
      state: second.state,
    });
    expect(inventoryOf(harness.fake).filter((name) => name.startsWith('inplace'))).toEqual([]);
  });

  it('writes back a firewall rule someone changed', async () => {
    const { state } = await reconcile('drift', managedConfig());
    const path = 'global/firewalls/drift-allow-external-access';
    await computeCall(harness.fake, 'PUT', path, {
      name: 'drift-allow-external-access',
      allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
      sourceRanges: ['0.0.0.0/0'],
    });
    await reconcile('drift', managedConfig(), state);
    const rule = harness.fake.resources().get(`projects/${PROJECT}/${path}`);
    expect(rule?.allowed).toEqual([{ IPProtocol: 'tcp', ports: ['80', '443'] }]);
    expect(rule?.targetTags).toEqual(['kubernetes-io-cluster-drift']);
    await harness.provider.delete({ cluster: 'drift', region: REGION, config: managedConfig(), state });
  });

  it('uses the named NAT addresses, reports them as egress, and keeps them on delete', async () => {
    for (const name of ['egress-a', 'egress-b']) {
      await computeCall(harness.fake, 'POST', `regions/${REGION}/addresses`, { name });
    }
    const ips = ['egress-a', 'egress-b'].map((name) =>
      String(harness.fake.resources().get(regional('addresses', name))?.address),
    );
    const config = managedConfig({
      networks: {
        workers: '10.250.0.0/16',
        cloudNAT: { natIPNames: [{ name: 'egress-a' }, { name: 'egress-b' }] },
      },
    });
    const { status, state } = await reconcile('named-ips', config);
    expect(nat('named-ips')).toMatchObject({ natIpAllocateOption: 'MANUAL_ONLY' });
    expect([...status.egressAddresses].sort()).toEqual([...ips].sort());
    await harness.provider.delete({ cluster: 'named-ips', region: REGION, config, state });
    expect(inventoryOf(harness.fake)).toEqual(['egress-a', 'egress-b']);
  });
});
