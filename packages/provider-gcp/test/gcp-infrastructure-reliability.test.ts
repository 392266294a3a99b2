import { emptyInfrastructureState, type InfrastructureState, TrellisError } from '@trellis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  computeCall,
  fragileProvider,
  type InfrastructureHarness,
  inventoryOf,
  managedConfig,
  PROJECT,
  REGION,
  startInfrastructureHarness,
} from './gcp-infrastructure-harness.js';

let harness: InfrastructureHarness;
beforeEach(async () => {
  harness = await startInfrastructureHarness();
});
afterEach(() => harness.close());

const request = (cluster: string, state?: InfrastructureState) => ({
  cluster,
  region: REGION,
  config: managedConfig(),
  ...(state ? { state } : {}),
});

/** The last state a reconcile reported before it failed. */
async function failedReconcile(provider: typeof harness.provider, cluster: string, signal?: AbortSignal) {
  let last: InfrastructureState | undefined;
  const error = await provider
    .reconcile(request(cluster), {
      onState: (state) => {
        last = structuredClone(state);
      },
      ...(signal ? { signal } : {}),
    })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  return { error, state: last };
}

describe('GCP infrastructure: lost responses, crashes and foreign resources', () => {
  it('retries of lost responses reuse the requestId and the IAM 409: nothing made twice', async () => {
    for (const action of [
      'compute.networks.insert',
      'compute.subnetworks.insert',
      'compute.routers.insert',
      'compute.routers.update',
      'compute.firewalls.insert',
      'iam.projects.serviceAccounts.create',
    ]) {
      harness.fake.faults.add({ kind: 'lost-response', actions: [action], times: 1 });
    }
    const { state } = await harness.provider.reconcile(request('lost'));
    const lost = harness.fake.calls.entries.filter((entry) => entry.fault === 'lost-response');
    expect(lost.length).toBe(6);
    expect(inventoryOf(harness.fake)).toEqual([
      'lost',
      'lost-allow-external-access',
      'lost-allow-health-checks',
      'lost-allow-internal-access',
      'lost-cloud-router',
      'lost-internal',
      'lost-nodes',
      `lost-nodes@${PROJECT}.iam.gserviceaccount.com`,
    ]);
    // The NAT went onto the router once.
    const router = harness.fake
      .resources()
      .get(`projects/${PROJECT}/regions/${REGION}/routers/lost-cloud-router`);
    expect(router?.nats).toHaveLength(1);
    await harness.provider.delete(request('lost', state));
    expect(inventoryOf(harness.fake)).toEqual([]);
  });

  it.each([
    ['the network', 'compute.networks.insert', 'network'],
    ['a subnet', 'compute.subnetworks.insert', 'subnet/nodes'],
    ['the router', 'compute.routers.insert', 'router'],
    ['the NAT', 'compute.routers.update', 'nat'],
    ['the service account', 'iam.projects.serviceAccounts.create', 'service-account'],
  ])(
    'a crash after %s was created but before its state was saved: delete still removes it, resume adopts it',
    async (_what, action, key) => {
      // Every answer to the create is lost (the SDK's own socket retries too): the process gives up.
      const restore = harness.fake.faults.add({ kind: 'lost-response', actions: [action] });
      const crashed = await failedReconcile(fragileProvider(harness.fake), 'crash');
      restore();
      expect(TrellisError.isInstance(crashed.error)).toBe(true);
      // Only the write-ahead mark names it: the create's answer never arrived.
      expect(crashed.state?.resources[key]?.attributes?.pending).toBe(true);

      const resumed = await harness.provider.reconcile(request('crash', crashed.state));
      expect(inventoryOf(harness.fake).filter((name) => name.startsWith('crash'))).toHaveLength(8);
      await harness.provider.delete(request('crash', resumed.state));
      expect(inventoryOf(harness.fake)).toEqual([]);

      const restoreAgain = harness.fake.faults.add({ kind: 'lost-response', actions: [action] });
      const again = await failedReconcile(fragileProvider(harness.fake), 'crash-delete');
      restoreAgain();
      await harness.provider.delete(request('crash-delete', again.state));
      expect(inventoryOf(harness.fake)).toEqual([]);
    },
  );

  it('a delete from the state of a reconcile stopped after any step leaves nothing', async () => {
    let steps = 0;
    await harness.provider.reconcile(request('count'), {
      onState: () => {
        steps += 1;
      },
    });
    await harness.provider.delete(
      request('count', (await harness.provider.reconcile(request('count'))).state),
    );
    for (let stop = 1; stop <= steps; stop += 1) {
      const controller = new AbortController();
      let calls = 0;
      let last: InfrastructureState | undefined;
      const error = await harness.provider
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
      await harness.provider.delete(request(`stop-${stop}`, last));
      expect(inventoryOf(harness.fake), `stopped after state save ${stop}`).toEqual([]);
    }
  });

  it('refuses a resource of the same name that is not the cluster’s, and never deletes it', async () => {
    await harness.createForeignNetwork('taken');
    const error = await harness.provider.reconcile(request('taken')).catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'AlreadyExists')).toBe(true);
    expect((error as Error).message).toMatch(/networks taken exists but is not cluster taken's/);
    await harness.provider.delete(request('taken', emptyInfrastructureState('gcp')));
    expect(inventoryOf(harness.fake)).toEqual(['taken']);
  });

  it('deletes the firewall rules the cloud controller manager made for the cluster, and no others', async () => {
    const { state } = await harness.provider.reconcile(request('ccm'));
    const rule = (name: string, tag: string) =>
      computeCall(harness.fake, 'POST', 'global/firewalls', {
        name,
        network: `projects/${PROJECT}/global/networks/ccm`,
        allowed: [{ IPProtocol: 'tcp', ports: ['443'] }],
        sourceRanges: ['0.0.0.0/0'],
        targetTags: [tag],
      });
    await rule('k8s-fw-a1b2c3', 'kubernetes-io-cluster-ccm');
    await rule('k8s-other-cluster', 'kubernetes-io-cluster-someone-else');
    await harness.createForeignNetwork('elsewhere');
    await computeCall(harness.fake, 'POST', 'global/firewalls', {
      name: 'k8s-fw-elsewhere',
      network: 'global/networks/elsewhere',
      allowed: [{ IPProtocol: 'tcp' }],
      targetTags: ['kubernetes-io-cluster-ccm'],
    });
    // The other cluster's rule keeps the network alive: the delete must fail loudly, not leak quietly.
    const blocked = await harness.provider.delete(request('ccm', state)).catch((caught: unknown) => caught);
    expect((blocked as Error).message).toMatch(/already being used by/);
    const names = inventoryOf(harness.fake);
    expect(names).not.toContain('k8s-fw-a1b2c3');
    expect(names).toEqual(expect.arrayContaining(['ccm', 'k8s-other-cluster', 'k8s-fw-elsewhere']));
  });
});
