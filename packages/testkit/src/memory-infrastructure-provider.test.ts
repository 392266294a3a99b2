import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { createMemoryInfrastructureProvider } from './memory-infrastructure-provider.js';

const twoZones = {
  networkCidr: '10.0.0.0/16',
  zones: [
    { name: 'zone-a', nodesCidr: '10.0.0.0/24' },
    { name: 'zone-b', nodesCidr: '10.0.1.0/24' },
  ],
};
const request = { cluster: 'shoot', region: 'memory-1', config: twoZones };

describe('memory infrastructure provider', () => {
  it('creates a network, a subnet per zone and a security group, and deletes them all', async () => {
    const provider = createMemoryInfrastructureProvider();
    const { status, state } = await provider.reconcile(request);
    expect(status.subnets.map((subnet) => subnet.zone)).toEqual(['zone-a', 'zone-b']);
    expect(provider.inventory()).toEqual(
      [status.networkId, ...status.subnets.map((subnet) => subnet.nodes), ...status.securityGroupIds].sort(),
    );
    expect(state.completedSteps).toContain('network');
    await provider.delete({ ...request, state });
    expect(provider.inventory()).toEqual([]);
  });

  it('removes the subnet of a zone dropped from the config', async () => {
    const provider = createMemoryInfrastructureProvider();
    const first = await provider.reconcile(request);
    const oneZone = { ...twoZones, zones: twoZones.zones.slice(0, 1) };
    const second = await provider.reconcile({ ...request, config: oneZone, state: first.state });
    const removed = first.status.subnets[1]!.nodes;
    expect(provider.inventory()).not.toContain(removed);
    expect(Object.keys(second.state.resources)).not.toContain('subnet/zone-b');
    expect(second.status.networkId).toBe(first.status.networkId);
  });

  it('refuses to change the CIDR of an existing network, before touching anything', async () => {
    const provider = createMemoryInfrastructureProvider();
    const { state } = await provider.reconcile(request);
    const before = provider.inventory();
    const moved = { networkCidr: '10.1.0.0/16', zones: [{ name: 'zone-a', nodesCidr: '10.1.0.0/24' }] };
    const error = await provider
      .reconcile({ ...request, config: moved, state })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument') && error.issues.map((issue) => issue.path)).toEqual(
      ['networkCidr'],
    );
    expect(provider.inventory()).toEqual(before);
  });

  it('adopts a resource it created but never reported (a lost state write)', async () => {
    const provider = createMemoryInfrastructureProvider();
    const controller = new AbortController();
    // The caller "crashes" before persisting: it aborts in the first onState and keeps no state.
    await expect(
      provider.reconcile(request, { signal: controller.signal, onState: () => controller.abort() }),
    ).rejects.toSatisfy((error) => TrellisError.hasCode(error, 'Canceled'));
    const leftover = provider.inventory();
    expect(leftover).toHaveLength(1);
    const { status } = await provider.reconcile(request);
    expect(status.networkId).toBe(leftover[0]);
  });

  it('rejects a state written by another provider', async () => {
    const provider = createMemoryInfrastructureProvider();
    const state = { version: 'v1' as const, provider: 'aws', resources: {}, completedSteps: [] };
    const error = await provider.reconcile({ ...request, state }).catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument') && error.issues[0]?.path).toBe('state.provider');
  });
});
