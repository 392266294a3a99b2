import {
  type KubernetesPoolSource,
  MACHINE_POOL_API,
  type MachinePool,
  startPoolController,
  watchMachinePoolResources,
} from '@trellis/controller';
import { MACHINE_POOL_RESOURCE, startFakeKubernetes } from '@trellis/controller/testing';
import type { TrellisError } from '@trellis/core';
import { createMemoryMachineProvider, type MemoryMachineSpec } from '@trellis/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { kubernetesTargets } from './kubernetes-targets.js';

const { group, version, plural } = MACHINE_POOL_API;
const memory = createMemoryMachineProvider();
const validateMachineClass = (machineClass: unknown) => memory.validateSpec(machineClass);

const until = async (check: () => boolean, what: () => unknown, timeoutMs = 15_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not in time: ${JSON.stringify(what())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const eventually = async <T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000) => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`not in time: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const resource = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: `${group}/${version}`,
  kind: 'MachinePool',
  metadata: { name },
  spec: {
    provider: 'memory',
    cluster: 'shoot',
    replicas: 2,
    machineClass: { machineType: 'm5.large', zone: 'eu-1a' },
    ...spec,
  },
});

for (const target of kubernetesTargets()) {
  describe(`MachinePool resources as a pool source (${target.name})`, () => {
    const sources: KubernetesPoolSource<MemoryMachineSpec>[] = [];
    const created: string[] = [];
    afterEach(async () => {
      await Promise.all(sources.splice(0).map((source) => source.close()));
      const api = target.customObjects();
      await Promise.allSettled(
        created
          .splice(0)
          .map((name) =>
            api.deleteNamespacedCustomObject({ group, version, plural, namespace: target.namespace, name }),
          ),
      );
    });
    const create = async (name: string, spec: Record<string, unknown>) => {
      created.push(name);
      return target.customObjects().createNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: target.namespace,
        body: resource(name, spec),
      });
    };
    const statusOf = async (name: string) =>
      (
        (await target.customObjects().getNamespacedCustomObjectStatus({
          group,
          version,
          plural,
          namespace: target.namespace,
          name,
        })) as { status?: Record<string, unknown> }
      ).status;
    const open = async (provider = 'memory') => {
      const seen: MachinePool<MemoryMachineSpec>[][] = [];
      const errors: TrellisError[] = [];
      const source = await watchMachinePoolResources<MemoryMachineSpec>({
        kubeConfig: target.kubeConfig(),
        namespace: target.namespace,
        provider,
        validateMachineClass,
        onPools: (pools) => seen.push(pools),
        onError: (error) => errors.push(error),
        restartDelayMs: 50,
      });
      sources.push(source);
      const latest = () => seen.at(-1) ?? [];
      return { source, seen, errors, latest };
    };

    it('hands on the valid pools, follows creates, edits and deletes, and reports an invalid one with paths in the resource', async () => {
      const cluster = target.uniqueName('c');
      const first = target.uniqueName('web');
      await create(first, { cluster });
      const { seen, errors, latest } = await open();
      // Resources of other clusters may exist in a live namespace: look at this test's cluster only.
      const mine = () => latest().filter((pool) => pool.cluster === cluster);
      expect(mine()).toEqual([
        {
          name: first,
          cluster,
          replicas: 2,
          machineClass: { machineType: 'm5.large', zone: 'eu-1a', rootVolumeSizeGiB: 10 },
        },
      ]);

      const second = target.uniqueName('db');
      await create(second, { cluster, replicas: 1, maxSurge: 2 });
      await until(() => mine().length === 2, mine);
      await target.customObjects().patchNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: target.namespace,
        name: first,
        body: [{ op: 'replace', path: '/spec/replicas', value: 5 }],
      });
      await until(() => mine().find((pool) => pool.name === first)?.replicas === 5, mine);

      const broken = target.uniqueName('broken');
      await create(broken, { cluster, replicas: -1, machineClass: { machineType: 'm5.large' } });
      await until(
        () => errors.some((error) => error.message.includes(broken)),
        () => errors,
      );
      const problem = errors.find((error) => error.message.includes(broken))!;
      expect(problem.code).toBe('InvalidArgument');
      expect(problem.issues?.map((issue) => issue.path).sort()).toEqual([
        'spec.machineClass.zone',
        'spec.replicas',
      ]);
      expect(mine().map((pool) => pool.name)).not.toContain(broken);
      // The resource's status says why.
      const status = await eventually(
        () => statusOf(broken),
        (value) => Boolean(value?.error),
      );
      expect(status).toMatchObject({ converged: false, error: { code: 'InvalidArgument' } });
      expect(String((status!.error as { message: string }).message)).toContain('spec.machineClass.zone');

      await target.customObjects().deleteNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: target.namespace,
        name: second,
      });
      await until(() => mine().length === 1, mine);
      // A status-only change hands nothing on again.
      const handed = seen.length;
      await target.customObjects().patchNamespacedCustomObjectStatus({
        group,
        version,
        plural,
        namespace: target.namespace,
        name: first,
        body: [{ op: 'add', path: '/status', value: { ready: 1 } }],
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen.length).toBe(handed);
    });

    it('leaves out MachinePools of another provider', async () => {
      const cluster = target.uniqueName('c');
      await create(target.uniqueName('theirs'), { cluster, provider: 'aws' });
      const { latest } = await open();
      expect(latest().filter((pool) => pool.cluster === cluster)).toEqual([]);
    });

    it('drives a pool controller: machines made, status written back to the resource', async () => {
      const cluster = target.uniqueName('c');
      const name = target.uniqueName('workers');
      await create(name, { cluster, replicas: 3 });
      const provider = createMemoryMachineProvider();
      let source: KubernetesPoolSource<MemoryMachineSpec> | undefined;
      const controller = startPoolController({
        provider,
        progressMs: 50,
        onStatus: (pool, status) => void source?.writeStatus(pool, status),
      });
      try {
        source = await watchMachinePoolResources<MemoryMachineSpec>({
          kubeConfig: target.kubeConfig(),
          namespace: target.namespace,
          provider: 'memory',
          validateMachineClass,
          onPools: (pools) => controller.setPools(pools.filter((pool) => pool.cluster === cluster)),
        });
        sources.push(source);
        await until(
          () => provider.countVms(cluster) === 3,
          () => provider.countVms(cluster),
        );
        const status = await eventually(
          () => statusOf(name),
          (value) => value?.converged === true,
        );
        expect(status).toMatchObject({ observedGeneration: 1, replicas: 3, ready: 3, converged: true });
        expect((status!.machines as unknown[]).length).toBe(3);
      } finally {
        await controller.stop(1000);
      }
    });
  });
}

describe('MachinePool resources on the fake API server', () => {
  it('reconnects a dropped watch, relists after compaction (410 Gone), and restarts a failed watch', async () => {
    const kubernetes = await startFakeKubernetes();
    const seen: MachinePool[][] = [];
    const errors: TrellisError[] = [];
    const api = kubernetes.objects;
    try {
      api.create(MACHINE_POOL_RESOURCE, 'default', resource('a', {}) as never);
      const source = await watchMachinePoolResources({
        kubeConfig: { yaml: kubernetes.kubeconfig() },
        onPools: (pools) => seen.push(pools),
        onError: (error) => errors.push(error),
        restartDelayMs: 50,
      });
      const names = () => (seen.at(-1) ?? []).map((pool) => pool.name);
      expect(names()).toEqual(['a']);

      kubernetes.dropWatches();
      api.create(MACHINE_POOL_RESOURCE, 'other', resource('b', {}) as never);
      await until(() => names().join() === 'a,b', names);

      kubernetes.objects.compact();
      kubernetes.dropWatches();
      api.delete(MACHINE_POOL_RESOURCE, 'default', 'a');
      await until(() => names().join() === 'b', names);

      kubernetes.faults.add({
        kind: 'server-error',
        actions: ['watch machinepools', 'list machinepools'],
        times: 2,
      });
      kubernetes.dropWatches();
      api.create(MACHINE_POOL_RESOURCE, 'default', resource('c', {}) as never);
      await until(() => names().join() === 'b,c', names);
      expect(errors.map((error) => error.code)).toContain('Internal');
      await source.close();
    } finally {
      await kubernetes.close();
    }
  });

  it('reports two resources naming the same pool of a cluster, and keeps the older one', async () => {
    const kubernetes = await startFakeKubernetes();
    const errors: TrellisError[] = [];
    let pools: MachinePool[] = [];
    try {
      kubernetes.objects.create(
        MACHINE_POOL_RESOURCE,
        'team-a',
        resource('workers', { replicas: 1 }) as never,
      );
      await new Promise((resolve) => setTimeout(resolve, 1100));
      kubernetes.objects.create(
        MACHINE_POOL_RESOURCE,
        'team-b',
        resource('workers', { replicas: 9 }) as never,
      );
      const source = await watchMachinePoolResources({
        kubeConfig: { yaml: kubernetes.kubeconfig() },
        onPools: (next) => {
          pools = next;
        },
        onError: (error) => errors.push(error),
      });
      expect(pools.map((pool) => pool.replicas)).toEqual([1]);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain('MachinePool team-b/workers');
      expect(errors[0]!.issues).toEqual([
        {
          path: 'metadata.name',
          message: 'pool shoot/workers is already defined by MachinePool team-a/workers',
        },
      ]);
      await source.close();
    } finally {
      await kubernetes.close();
    }
  });

  it('fails to start with NotFound when the CRD is not installed, and Unauthenticated on a bad token', async () => {
    const withoutCrd = await startFakeKubernetes({ resources: [] });
    try {
      await expect(
        watchMachinePoolResources({ kubeConfig: { yaml: withoutCrd.kubeconfig() }, onPools: () => {} }),
      ).rejects.toMatchObject({ code: 'NotFound' });
      const failure = await watchMachinePoolResources({
        kubeConfig: { yaml: withoutCrd.kubeconfig().replace(/token: .*/, 'token: secret-never-shown') },
        onPools: () => {},
      }).catch((error: unknown) => error as TrellisError);
      expect(failure).toMatchObject({ code: 'Unauthenticated' });
      expect(JSON.stringify({ message: (failure as TrellisError).message })).not.toContain(
        'secret-never-shown',
      );
    } finally {
      await withoutCrd.close();
    }
  });
});
