import type { Machine, MachineProvider } from '@trellis/core';
import {
  assertCount,
  assertDistinct,
  assertIssuePath,
  assertOwnershipTags,
  assertProviderIdParses,
  assertSameMachine,
  assertSameSet,
  expectTrellisError,
  fail,
} from './conformance-assertions.js';
import { type Defer, eventually, uniqueName, withCleanup } from './conformance-cases.js';
import type {
  MachineConformanceCase,
  MachineConformanceSubject,
} from './machine-provider-conformance-types.js';

/** What every machine case gets. */
export interface MachineCaseContext {
  subject: MachineConformanceSubject<unknown>;
  listPageSize: number;
  concurrentCreates: number;
}

type MachineCase = (context: MachineCaseContext) => Promise<void>;

async function listAll(provider: MachineProvider<unknown>, cluster: string): Promise<Machine[]> {
  const machines: Machine[] = [];
  for await (const machine of provider.listMachines({ cluster })) machines.push(machine);
  return machines;
}

/** VMs in the cloud for the cluster (and name): from the subject's own view, else through list. */
async function countVms(subject: MachineConformanceSubject<unknown>, cluster: string, name?: string) {
  if (subject.countVms) return subject.countVms(cluster, name);
  const machines = await listAll(subject.provider, cluster);
  return machines.filter((machine) => name === undefined || machine.name === name).length;
}

/** Creates a machine and defers its deletion. */
async function create(context: MachineCaseContext, defer: Defer, cluster: string, name: string) {
  const { provider, spec } = context.subject;
  defer(() => provider.deleteMachine({ cluster, name }));
  return provider.createMachine({ cluster, name, spec });
}

/** The case bodies, each a plain async function of its context (so they can be run outside a suite). */
export const machineCases: Record<MachineConformanceCase, MachineCase> = {
  'create-get-list-delete': (context) =>
    withCleanup(async (defer) => {
      const { provider } = context.subject;
      const cluster = uniqueName('crud');
      const created = await create(context, defer, cluster, 'worker-0');
      if (created.name !== 'worker-0' || created.cluster !== cluster) {
        fail(`created machine is ${created.cluster}/${created.name}, expected ${cluster}/worker-0`);
      }
      if (!created.providerId) fail('created machine has no providerId');
      assertSameMachine(created, await provider.getMachine({ cluster, name: 'worker-0' }));
      const listed = await listAll(provider, cluster);
      assertSameSet(
        listed.map((machine) => machine.providerId),
        [created.providerId],
        'listed provider ids',
      );
      await provider.deleteMachine({ cluster, name: 'worker-0' });
      await eventually(async () => {
        await expectTrellisError(
          provider.getMachine({ cluster, name: 'worker-0' }),
          'NotFound',
          'get after delete',
        );
        assertCount((await listAll(provider, cluster)).length, 0, 'listed machines after delete');
        assertCount(await countVms(context.subject, cluster), 0, 'VMs after delete');
      });
    }),

  'create-is-idempotent': (context) =>
    withCleanup(async (defer) => {
      const cluster = uniqueName('idempotent-create');
      const first = await create(context, defer, cluster, 'worker-0');
      const second = await create(context, defer, cluster, 'worker-0');
      assertSameMachine(first, second);
      assertCount(await countVms(context.subject, cluster, 'worker-0'), 1, 'VMs for machine worker-0');
    }),

  'delete-is-idempotent': (context) =>
    withCleanup(async (defer) => {
      const { provider } = context.subject;
      const cluster = uniqueName('idempotent-delete');
      await create(context, defer, cluster, 'worker-0');
      await provider.deleteMachine({ cluster, name: 'worker-0' });
      await provider.deleteMachine({ cluster, name: 'worker-0' });
      await provider.deleteMachine({ cluster, name: 'never-created' });
      await provider.deleteMachine({ cluster: uniqueName('never-existed'), name: 'worker-0' });
      await eventually(async () => {
        await expectTrellisError(
          provider.getMachine({ cluster, name: 'worker-0' }),
          'NotFound',
          'get after delete',
        );
        assertCount(await countVms(context.subject, cluster), 0, 'VMs after delete');
      });
    }),

  'get-missing-is-not-found': async (context) => {
    const { provider } = context.subject;
    const cluster = uniqueName('get-missing');
    await expectTrellisError(
      provider.getMachine({ cluster, name: 'absent' }),
      'NotFound',
      'get of a missing machine',
    );
  },

  'ownership-tags': (context) =>
    withCleanup(async (defer) => {
      const cluster = uniqueName('ownership');
      const created = await create(context, defer, cluster, 'worker-0');
      assertOwnershipTags(created, cluster, 'worker-0');
      assertOwnershipTags(
        await context.subject.provider.getMachine({ cluster, name: 'worker-0' }),
        cluster,
        'worker-0',
      );
      const [listed] = await listAll(context.subject.provider, cluster);
      if (!listed) fail('the machine is not listed');
      assertOwnershipTags(listed, cluster, 'worker-0');
    }),

  'list-is-scoped-to-cluster': (context) =>
    withCleanup(async (defer) => {
      const cluster = uniqueName('scope');
      // A cluster whose name extends the first one's catches prefix matching of ownership tags.
      // The machine names differ too (one extends the other): on GCE an instance name is unique in
      // its zone across clusters, as Gardener's machine names (which carry the shoot) are.
      const other = `${cluster}-x`;
      const mine = await create(context, defer, cluster, 'worker-0');
      const theirs = await create(context, defer, other, 'worker-0-x');
      const listMine = await listAll(context.subject.provider, cluster);
      const listTheirs = await listAll(context.subject.provider, other);
      assertSameSet(
        listMine.map((machine) => machine.providerId),
        [mine.providerId],
        `machines of ${cluster}`,
      );
      assertSameSet(
        listTheirs.map((machine) => machine.providerId),
        [theirs.providerId],
        `machines of ${other}`,
      );
    }),

  'list-pages': (context) =>
    withCleanup(async (defer) => {
      const cluster = uniqueName('pages');
      const names = Array.from({ length: 2 * context.listPageSize + 1 }, (_, index) => `worker-${index}`);
      const created = await Promise.all(names.map((name) => create(context, defer, cluster, name)));
      const listed = await listAll(context.subject.provider, cluster);
      assertDistinct(
        listed.map((machine) => machine.providerId),
        'listed provider ids',
      );
      assertSameSet(
        listed.map((machine) => machine.providerId),
        created.map((machine) => machine.providerId),
        `machines listed past page size ${context.listPageSize}`,
      );
    }),

  'concurrent-creates': (context) =>
    withCleanup(async (defer) => {
      const cluster = uniqueName('concurrent');
      const names = Array.from({ length: context.concurrentCreates }, (_, index) => `worker-${index}`);
      const created = await Promise.all(names.map((name) => create(context, defer, cluster, name)));
      assertDistinct(
        created.map((machine) => machine.providerId),
        'provider ids of concurrently created machines',
      );
      assertSameSet(
        created.map((machine) => machine.name),
        names,
        'created machine names',
      );
      assertCount(await countVms(context.subject, cluster), names.length, 'VMs after concurrent creates');
    }),

  'abort-is-canceled': (context) =>
    withCleanup(async (defer) => {
      const { provider, spec } = context.subject;
      const cluster = uniqueName('abort');
      const controller = new AbortController();
      controller.abort();
      const signal = controller.signal;
      const ref = { cluster, name: 'worker-0' };
      defer(() => provider.deleteMachine(ref));
      await expectTrellisError(
        provider.createMachine({ ...ref, spec }, { signal }),
        'Canceled',
        'aborted create',
      );
      await expectTrellisError(provider.getMachine(ref, { signal }), 'Canceled', 'aborted get');
      await expectTrellisError(provider.deleteMachine(ref, { signal }), 'Canceled', 'aborted delete');
      await expectTrellisError(
        async () => {
          for await (const _ of provider.listMachines({ cluster }, { signal })) break;
        },
        'Canceled',
        'aborted list',
      );
      assertCount(await countVms(context.subject, cluster), 0, 'VMs after an aborted create');
    }),

  'invalid-spec-is-invalid-argument': (context) =>
    withCleanup(async (defer) => {
      const { provider, invalidSpecs, callCount } = context.subject;
      if (invalidSpecs.length === 0) fail('subject.invalidSpecs is empty: skip this case explicitly instead');
      const cluster = uniqueName('invalid-spec');
      for (const [index, { spec, path }] of invalidSpecs.entries()) {
        const name = `worker-${index}`;
        defer(() => provider.deleteMachine({ cluster, name }));
        const calls = callCount?.();
        const error = await expectTrellisError(
          provider.createMachine({ cluster, name, spec: spec as never }),
          'InvalidArgument',
          `create with invalid spec #${index} (${path})`,
        );
        assertIssuePath(error, path);
        if (calls !== undefined) assertCount(callCount!() - calls, 0, `API calls for invalid spec #${index}`);
      }
      assertCount(await countVms(context.subject, cluster), 0, 'VMs after invalid specs');
    }),

  'invalid-name-is-invalid-argument': (context) =>
    withCleanup(async (defer) => {
      const { provider, spec, callCount } = context.subject;
      const cluster = uniqueName('invalid-name');
      const cases = [
        { cluster, name: 'Worker_0', path: 'name' },
        { cluster, name: '-worker', path: 'name' },
        { cluster, name: 'w'.repeat(64), path: 'name' },
        { cluster: 'Not_A_Cluster', name: 'worker-0', path: 'cluster' },
      ];
      for (const { cluster: owner, name, path } of cases) {
        defer(() => provider.deleteMachine({ cluster: owner, name }).catch(() => {}));
        const calls = callCount?.();
        const error = await expectTrellisError(
          provider.createMachine({ cluster: owner, name, spec }),
          'InvalidArgument',
          `create of ${owner}/${name}`,
        );
        assertIssuePath(error, path);
        if (calls !== undefined) assertCount(callCount!() - calls, 0, `API calls for ${owner}/${name}`);
      }
      assertCount(await countVms(context.subject, cluster), 0, 'VMs after invalid names');
    }),

  'provider-id-parses': (context) =>
    withCleanup(async (defer) => {
      const cluster = uniqueName('provider-id');
      const created = await create(context, defer, cluster, 'worker-0');
      assertProviderIdParses(created.providerId, context.subject.provider.provider);
      const fetched = await context.subject.provider.getMachine({
        cluster,
        name: 'worker-0',
        providerId: created.providerId,
      });
      assertSameMachine(created, fetched);
    }),
};
