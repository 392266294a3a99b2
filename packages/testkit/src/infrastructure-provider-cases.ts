import {
  emptyInfrastructureState,
  type InfrastructureCallOptions,
  type InfrastructureState,
  type InfrastructureStatus,
} from '@trellis/core';
import {
  assertCount,
  assertDistinct,
  assertIssuePath,
  assertSameJson,
  assertSameSet,
  expectTrellisError,
  fail,
  jsonCopy,
  setDelta,
} from './conformance-assertions.js';
import { type Defer, uniqueName, withCleanup } from './conformance-cases.js';
import type {
  InfrastructureConformanceCase,
  InfrastructureConformanceSubject,
} from './infrastructure-provider-conformance-types.js';

/** What every infrastructure case gets. */
export interface InfrastructureCaseContext {
  subject: InfrastructureConformanceSubject<unknown, InfrastructureStatus>;
}

type InfrastructureCase = (context: InfrastructureCaseContext) => Promise<void>;

/** One cluster's network under test: reconcile/delete with the subject's config, tracking the persisted state. */
function network(context: InfrastructureCaseContext, defer: Defer, caseName: string) {
  const { provider, region, config } = context.subject;
  const cluster = uniqueName(caseName);
  const handle = {
    cluster,
    /** The last state the provider reported or returned: what a caller would have persisted. */
    persisted: undefined as InfrastructureState | undefined,
    async reconcile(state?: InfrastructureState, options: InfrastructureCallOptions = {}) {
      const result = await provider.reconcile(
        { cluster, region, config, state },
        {
          ...options,
          onState: async (next) => {
            handle.persisted = jsonCopy(next);
            await options.onState?.(next);
          },
        },
      );
      handle.persisted = jsonCopy(result.state);
      return result;
    },
    async delete(state?: InfrastructureState) {
      await provider.delete({ cluster, region, config, state });
      handle.persisted = undefined;
    },
  };
  defer(async () => {
    if (handle.persisted) await handle.delete(handle.persisted);
  });
  return handle;
}

function assertStatusInInventory(status: InfrastructureStatus, created: readonly string[]): void {
  const present = new Set(created);
  const ids = [status.networkId, ...status.subnets.map((subnet) => subnet.nodes), ...status.securityGroupIds];
  for (const id of ids) if (!present.has(id)) fail(`status names ${id}, which the reconcile did not create`);
}

/** The case bodies, each a plain async function of its context (so they can be run outside a suite). */
export const infrastructureCases: Record<InfrastructureConformanceCase, InfrastructureCase> = {
  'invalid-config-is-invalid-argument': (context) =>
    withCleanup(async (defer) => {
      const { provider, region, invalidConfigs, inventory } = context.subject;
      if (invalidConfigs.length === 0)
        fail('subject.invalidConfigs is empty: skip this case explicitly instead');
      for (const [index, { config, path }] of invalidConfigs.entries()) {
        const cluster = uniqueName(`invalid-config-${index}`);
        const before = await inventory();
        let leaked: InfrastructureState | undefined;
        defer(() => leaked && provider.delete({ cluster, region, config, state: leaked }));
        const what = `invalid config #${index} (${path})`;
        const onState = (state: InfrastructureState) => {
          leaked = jsonCopy(state);
        };
        assertIssuePath(
          await expectTrellisError(
            provider.reconcile({ cluster, region, config }, { onState }),
            'InvalidArgument',
            what,
          ),
          path,
        );
        assertIssuePath(
          await expectTrellisError(() => provider.validateConfig(config), 'InvalidArgument', what),
          path,
        );
        assertSameSet(await inventory(), before, `inventory after ${what}`);
      }
    }),

  'reconcile-from-nothing': (context) =>
    withCleanup(async (defer) => {
      const { inventory, zones } = context.subject;
      const baseline = await inventory();
      const net = network(context, defer, 'from-nothing');
      const reported: InfrastructureState[] = [];
      const result = await net.reconcile(undefined, {
        onState: (state) => void reported.push(jsonCopy(state)),
      });
      const { added } = setDelta(baseline, await inventory());
      if (!result.status.networkId) fail('status has no networkId');
      if (result.status.subnets.length === 0) fail('status has no subnets');
      assertDistinct(
        result.status.subnets.map((subnet) => subnet.zone),
        'subnet zones in the status',
      );
      if (zones)
        assertSameSet(
          result.status.subnets.map((subnet) => subnet.zone),
          zones,
          'zones with a subnet',
        );
      assertStatusInInventory(result.status, added);
      // Each reported state completes one more step, or adds a write-ahead mark (a create about to
      // be sent, `attributes.pending`) without completing one; nothing else is reported.
      const pendingIn = (state: InfrastructureState) =>
        Object.values(state.resources).filter((resource) => resource.attributes?.pending === true).length;
      let previous = { completed: 0, pending: 0 };
      let completions = 0;
      for (const [index, state] of reported.entries()) {
        const current = { completed: state.completedSteps.length, pending: pendingIn(state) };
        if (current.completed === previous.completed + 1) completions += 1;
        else if (current.completed !== previous.completed || current.pending <= previous.pending) {
          fail(`onState call ${index + 1} neither completed a step nor added a write-ahead mark`);
        }
        previous = current;
      }
      assertCount(
        completions,
        result.state.completedSteps.length,
        'onState calls that complete a step (one per step)',
      );
      if (pendingIn(result.state) > 0) fail('the returned state still holds write-ahead marks');
      assertSameJson(reported.at(-1), result.state, 'last reported state and returned state');
    }),

  'reconcile-again-changes-nothing': (context) =>
    withCleanup(async (defer) => {
      const net = network(context, defer, 'again');
      const first = await net.reconcile();
      const inventoryAfterFirst = await context.subject.inventory();
      const second = await net.reconcile(first.state);
      assertSameJson(second.state, first.state, 'states of the first and second reconcile');
      assertSameJson(second.status, first.status, 'statuses of the first and second reconcile');
      assertSameSet(
        await context.subject.inventory(),
        inventoryAfterFirst,
        'inventory after the second reconcile',
      );
    }),

  'interrupted-reconcile-resumes': async (context) => {
    const { inventory } = context.subject;
    // A clean run first: how many steps a reconcile reports, and how many resources it makes.
    const reference = await withCleanup(async (defer) => {
      const net = network(context, defer, 'interrupt-ref');
      const before = await inventory();
      let steps = 0;
      const result = await net.reconcile(undefined, {
        onState: () => {
          steps += 1;
        },
      });
      const created = setDelta(before, await inventory()).added.length;
      await net.delete(result.state);
      return { steps, created, status: result.status };
    });
    if (reference.steps === 0) fail('a clean reconcile reported no state through onState');
    for (let k = 1; k <= reference.steps; k += 1) {
      await withCleanup(async (defer) => {
        const net = network(context, defer, `interrupt-${k}`);
        const before = await inventory();
        const controller = new AbortController();
        let calls = 0;
        const onState = () => {
          calls += 1;
          if (calls === k) controller.abort();
        };
        const interrupted = net.reconcile(undefined, { signal: controller.signal, onState });
        await expectTrellisError(
          interrupted,
          'Canceled',
          `reconcile aborted in onState call ${k} of ${reference.steps}`,
        );
        if (!net.persisted) fail(`no state was persisted before the abort in onState call ${k}`);
        const resumed = await net.reconcile(net.persisted);
        const delta = setDelta(before, await inventory());
        assertCount(delta.removed.length, 0, `resources removed by resuming after step ${k}`);
        assertCount(
          delta.added.length,
          reference.created,
          `resources after resuming from step ${k} (as in a clean run)`,
        );
        assertSameJson(
          resumed.status.subnets.map((subnet) => subnet.zone),
          reference.status.subnets.map((subnet) => subnet.zone),
          `zones after resuming from step ${k}`,
        );
        assertStatusInInventory(resumed.status, delta.added);
        const again = await net.reconcile(resumed.state);
        assertSameJson(
          again.state,
          resumed.state,
          `state after reconciling the resumed run (step ${k}) again`,
        );
        assertSameSet(
          await inventory(),
          [...before, ...delta.added],
          `inventory after reconciling again (step ${k})`,
        );
        await net.delete(resumed.state);
        assertSameSet(await inventory(), before, `inventory after deleting the resumed run (step ${k})`);
      });
    }
  },

  'delete-removes-what-it-created': (context) =>
    withCleanup(async (defer) => {
      const { inventory, createForeignResource } = context.subject;
      const foreign = await createForeignResource?.();
      const baseline = await inventory();
      const net = network(context, defer, 'delete');
      const result = await net.reconcile();
      if (setDelta(baseline, await inventory()).added.length === 0) fail('the reconcile created nothing');
      await net.delete(result.state);
      const after = await inventory();
      if (foreign !== undefined && !after.includes(foreign))
        fail(`delete removed the foreign resource ${foreign}`);
      assertSameSet(after, baseline, 'inventory after delete (against the baseline before reconcile)');
      // A retried delete with the same (now stale) state succeeds and changes nothing.
      await net.delete(result.state);
      assertSameSet(await inventory(), baseline, 'inventory after a second delete');
    }),

  'delete-without-state-is-noop': (context) =>
    withCleanup(async (defer) => {
      const { provider, inventory } = context.subject;
      const net = network(context, defer, 'delete-no-state');
      await net.reconcile();
      const before = await inventory();
      // The cluster's resources exist, but without state the provider must not look them up and delete them.
      await provider.delete({
        cluster: net.cluster,
        region: context.subject.region,
        config: context.subject.config,
      });
      await provider.delete({
        cluster: net.cluster,
        region: context.subject.region,
        config: context.subject.config,
        state: emptyInfrastructureState(provider.provider),
      });
      assertSameSet(await inventory(), before, 'inventory after delete without state');
    }),
};
