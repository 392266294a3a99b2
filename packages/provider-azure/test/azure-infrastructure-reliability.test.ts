import { emptyInfrastructureState, type InfrastructureState, TrellisError } from '@trellis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArmFake } from '../src/testing/index.js';
import {
  fragileProvider,
  infrastructureProvider,
  inventoryOf,
  LOCATION,
  SUBSCRIPTION,
  startInfrastructureFake,
  zonedConfig,
} from './azure-infrastructure-harness.js';

let fake: ArmFake;
beforeEach(async () => {
  fake = await startInfrastructureFake();
});
afterEach(() => fake.close());

const request = (cluster: string, state?: InfrastructureState) => ({
  cluster,
  region: LOCATION,
  config: zonedConfig(),
  ...(state ? { state } : {}),
});

/** The last state a reconcile reported before it failed. */
async function failedReconcile(provider: ReturnType<typeof infrastructureProvider>, cluster: string) {
  let last: InfrastructureState | undefined;
  const error = await provider
    .reconcile(request(cluster), {
      onState: (state) => {
        last = structuredClone(state);
      },
    })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  return { error, state: last };
}

describe('Azure infrastructure: lost responses, crashes and foreign resources', () => {
  it('lost responses on every create are retried: nothing is made twice, delete leaves nothing', async () => {
    for (const action of [
      'resourceGroups.createOrUpdate',
      'virtualNetworks.createOrUpdate',
      'publicIPAddresses.createOrUpdate',
      'natGateways.createOrUpdate',
      'subnets.createOrUpdate',
    ]) {
      fake.faults.add({ kind: 'lost-response', actions: [action], times: 1 });
    }
    const provider = infrastructureProvider(fake);
    const { state, status } = await provider.reconcile(request('lost'));
    expect(fake.calls.entries.filter((entry) => entry.fault === 'lost-response')).toHaveLength(5);
    expect(
      inventoryOf(fake)
        .map((id) => id.split('/').slice(-2).join('/'))
        .sort(),
    ).toEqual([
      'natGateways/lost-nat-gateway-z1',
      'natGateways/lost-nat-gateway-z2',
      'networkSecurityGroups/lost-workers',
      'publicIPAddresses/lost-nat-gateway-z1-ip',
      'publicIPAddresses/lost-nat-gateway-z2-ip',
      'resourceGroups/lost',
      'routeTables/worker_route_table',
      'subnets/lost-nodes-z1',
      'subnets/lost-nodes-z2',
      'virtualNetworks/lost',
    ]);
    expect(status.egressAddresses).toHaveLength(2);
    await provider.delete(request('lost', state));
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('a crash after the resource group was created but before its state was saved: delete still removes it, resume adopts it', async () => {
    // Every answer to the create is lost: the process gives up with only the write-ahead mark saved.
    const restore = fake.faults.add({ kind: 'lost-response', actions: ['resourceGroups.createOrUpdate'] });
    const crashed = await failedReconcile(fragileProvider(fake), 'crash');
    restore();
    expect(TrellisError.isInstance(crashed.error)).toBe(true);
    expect(crashed.state?.resources['resource-group']?.attributes?.pending).toBe(true);
    expect(fake.resourceGroups().map((group) => group.name)).toEqual(['crash']);

    const provider = infrastructureProvider(fake);
    await provider.delete(request('crash', crashed.state));
    expect(inventoryOf(fake)).toEqual([]);

    const again = fake.faults.add({ kind: 'lost-response', actions: ['resourceGroups.createOrUpdate'] });
    const second = await failedReconcile(fragileProvider(fake), 'crash');
    again();
    const resumed = await provider.reconcile(request('crash', second.state));
    expect(resumed.state.resources['resource-group']?.attributes?.pending).toBeUndefined();
    await provider.delete(request('crash', resumed.state));
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('a delete from the state of a reconcile stopped after any step leaves nothing', async () => {
    const provider = infrastructureProvider(fake);
    let steps = 0;
    const full = await provider.reconcile(request('count'), {
      onState: () => {
        steps += 1;
      },
    });
    await provider.delete(request('count', full.state));
    expect(steps).toBeGreaterThan(8);
    for (let stop = 1; stop <= steps; stop += 1) {
      const controller = new AbortController();
      let calls = 0;
      let last: InfrastructureState | undefined;
      const error = await provider
        .reconcile(request(`stop-${stop}`), {
          signal: controller.signal,
          onState: (state) => {
            last = structuredClone(state);
            calls += 1;
            if (calls === stop) controller.abort();
          },
        })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      if (stop < steps) expect(TrellisError.hasCode(error, 'Canceled')).toBe(true);
      await provider.delete(request(`stop-${stop}`, last));
      expect(inventoryOf(fake), `stopped after state save ${stop}`).toEqual([]);
    }
  });

  it('refuses a resource group of the same name that is not the cluster’s, and never deletes it', async () => {
    fake.createResourceGroup(SUBSCRIPTION, 'taken', LOCATION);
    const provider = infrastructureProvider(fake);
    const error = await provider.reconcile(request('taken')).catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'AlreadyExists')).toBe(true);
    expect((error as Error).message).toMatch(/resource group taken exists but is not cluster taken's/);
    await provider.delete(request('taken', emptyInfrastructureState('azure')));
    expect(fake.resourceGroups().map((group) => group.name)).toEqual(['taken']);
  });

  it('a resource group of the cluster in another location is InvalidArgument naming it', async () => {
    fake.createResourceGroup(SUBSCRIPTION, 'elsewhere', 'northeurope');
    const error = await infrastructureProvider(fake)
      .reconcile(request('elsewhere'))
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect((error as Error).message).toMatch(/elsewhere exists in location northeurope, not westeurope/);
  });

  it('the machines of a cluster go with its resource group; a delete of what is already gone succeeds', async () => {
    const provider = infrastructureProvider(fake);
    const { state } = await provider.reconcile(request('gone'));
    await provider.delete(request('gone', state));
    await provider.delete(request('gone', state));
    expect(inventoryOf(fake)).toEqual([]);
  });
});
