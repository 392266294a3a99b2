import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electLeaderWithLease, type LeaderElection } from '@trellis/controller';
import { type FakeKubernetes, LEASE_RESOURCE, startFakeKubernetes } from '@trellis/controller/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubernetesTargets } from './kubernetes-targets.js';
import { killLeaderOfTwo } from './two-leader-processes.js';

const fast = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.3 };
const until = async (check: () => boolean, timeoutMs = 15_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('not in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

for (const target of kubernetesTargets()) {
  describe(`Lease leader election (${target.name})`, () => {
    let elections: LeaderElection[] = [];
    afterEach(async () => {
      await Promise.allSettled(elections.map((election) => election.resign()));
      elections = [];
    });
    const elect = async (identity: string, name: string) => {
      const election = await electLeaderWithLease({
        kubeConfig: target.kubeConfig(),
        namespace: target.namespace,
        name,
        identity,
        ...fast,
      });
      elections.push(election);
      return election;
    };

    it('lets exactly one of two candidates lead, and hands over at once on resign', async () => {
      const lease = target.uniqueName('lease');
      const first = await elect('first', lease);
      await first.whenLeader();
      const second = await elect('second', lease);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect([first.isLeader, second.isLeader]).toEqual([true, false]);
      const held = await target.readLease(lease);
      expect(held.spec).toMatchObject({
        holderIdentity: 'first',
        leaseDurationSeconds: 3,
        leaseTransitions: 0,
      });
      // The times are MicroTime: six fractional digits, as the API server parses them.
      expect(held.spec.renewTime).toMatch(/\.\d{6}Z$/);

      await first.resign();
      expect(first.isLeader).toBe(false);
      // A released Lease has no holder: the other takes it on its next try, not a lease duration later.
      await second.whenLeader(AbortSignal.timeout(2500));
      expect((await target.readLease(lease)).spec).toMatchObject({
        holderIdentity: 'second',
        leaseTransitions: 1,
      });
    });
  });
}

describe('Lease leader election, fake API server only', () => {
  let kubernetes: FakeKubernetes;
  let work: string;
  beforeEach(async () => {
    kubernetes = await startFakeKubernetes();
    work = await mkdtemp(join(tmpdir(), 'trellis-lease-'));
  });
  afterEach(async () => {
    await kubernetes.close();
    await rm(work, { recursive: true, force: true });
  });

  it('lets one of two processes act at a time, and the other take over after the lease duration when the leader is killed', async () => {
    const file = join(work, 'kubeconfig');
    await kubernetes.writeKubeconfig(file);
    const [killed, survivor] = await killLeaderOfTwo(['lease', file]);
    const lease = kubernetes.objects.get(LEASE_RESOURCE, 'default', 'pools');
    expect(lease.spec).toMatchObject({ holderIdentity: survivor, leaseTransitions: 1 });
    expect(killed).not.toBe(survivor);
  });

  it('reports the loss when the leader cannot renew within the renew deadline', async () => {
    const election = await electLeaderWithLease({
      kubeConfig: { yaml: kubernetes.kubeconfig() },
      namespace: 'default',
      name: 'renew',
      identity: 'only',
      ...fast,
    });
    await election.whenLeader();
    const lost: Error[] = [];
    election.onLost((error) => lost.push(error));
    kubernetes.faults.add({ kind: 'server-error', actions: ['get leases', 'update leases'], status: 503 });
    await until(() => lost.length > 0);
    expect(election.isLeader).toBe(false);
    expect(lost[0]!.message).toMatch(/not renewed within 2 s/);
    await election.resign();
  });

  it('fails the wait for leadership with Unauthenticated on a bad token, and never shows the token', async () => {
    const election = await electLeaderWithLease({
      kubeConfig: { yaml: kubernetes.kubeconfig().replace(/token: .*/, 'token: wrong-secret-token') },
      namespace: 'default',
      name: 'auth',
      identity: 'only',
      ...fast,
    });
    const failure = await election.whenLeader().catch((error: unknown) => error as Error & { code: string });
    expect(failure).toMatchObject({ code: 'Unauthenticated' });
    expect(String((failure as Error).message)).not.toContain('wrong-secret-token');
    await election.resign();
  });

  it('refuses durations that would let two leaders overlap', async () => {
    await expect(
      electLeaderWithLease({
        kubeConfig: { yaml: kubernetes.kubeconfig() },
        namespace: 'default',
        name: 'bad',
        identity: 'only',
        leaseDurationSeconds: 5,
        renewDeadlineSeconds: 5,
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});
