import {
  collectOrphanMachines,
  type Logger,
  type MachineProvider,
  type OrphanMachine,
  silentLogger,
  TrellisError,
} from '@trellis/core';
import { type MachinePool, type MachinePoolStatus, POOL_TAG, reconcileMachinePool } from './machine-pool.js';
import { Metrics } from './metrics.js';
import { WorkQueue } from './work-queue.js';

/** Options of {@link startPoolController}. */
export interface PoolControllerOptions<Spec> {
  readonly provider: MachineProvider<Spec>;
  /** Reconciles run at once. @default 4 */
  readonly workers?: number;
  /** Every pool is reconciled again this often, changed or not. @default 60000 */
  readonly resyncMs?: number;
  /** A pool that has not converged is looked at again after this. @default 5000 */
  readonly progressMs?: number;
  /** First backoff of a failed reconcile (doubling, per pool). @default 1000 */
  readonly backoffMs?: number;
  /** Called with each pool's status after every reconcile. */
  readonly onStatus?: (pool: MachinePool<Spec>, status: MachinePoolStatus) => void;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /**
   * Orphan collection on a schedule, in every cluster a pool is in: machines of the cluster that no
   * current pool accounts for (no pool tag, or a pool that was removed) and older than `minAgeMs`
   * are deleted (only listed with `dryRun`). @default off
   */
  readonly orphanCollection?: {
    readonly intervalMs: number;
    readonly minAgeMs?: number;
    readonly dryRun?: boolean;
  };
}

/** A running pool controller. */
export interface PoolController<Spec> {
  /** Replaces the desired pools (from a source): new and changed pools are reconciled. */
  setPools(pools: readonly MachinePool<Spec>[]): void;
  /** The last status of each pool. */
  status(): ReadonlyMap<string, MachinePoolStatus>;
  /** Runs the orphan collection once now; resolves what it found (and deleted unless a dry run). */
  collectOrphans(options?: { minAgeMs?: number; dryRun?: boolean }): Promise<OrphanMachine[]>;
  readonly metrics: Metrics;
  /**
   * Stops taking work; in-flight reconciles get `graceMs` to finish, then their calls are aborted.
   * Resolves when every worker has stopped.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A controller that keeps machine pools at their desired state through a work queue: one reconcile
 * per pool at a time, rate-limited requeue with per-pool backoff on errors, a short requeue while a
 * pool converges, a periodic resync, metrics (reconciles, errors by code, API calls, queue depth,
 * reconcile seconds) and structured logs.
 */
export function startPoolController<Spec>(options: PoolControllerOptions<Spec>): PoolController<Spec> {
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? new Metrics();
  const queue = new WorkQueue<string>({ baseDelayMs: options.backoffMs ?? 1000 });
  const pools = new Map<string, MachinePool<Spec>>();
  const statuses = new Map<string, MachinePoolStatus>();
  const aborter = new AbortController();
  const progressMs = options.progressMs ?? 5000;
  const key = (pool: MachinePool<Spec>) => `${pool.cluster}/${pool.name}`;

  async function work(): Promise<void> {
    for (;;) {
      const name = await queue.next();
      if (name === undefined) return;
      metrics.set('trellis_queue_depth', queue.depth);
      const pool = pools.get(name);
      try {
        if (!pool) continue;
        const started = performance.now();
        metrics.count('trellis_reconciles_total');
        try {
          const status = await reconcileMachinePool(options.provider, pool, {
            signal: aborter.signal,
            onCall: (action) => metrics.count('trellis_api_calls_total', { action }),
          });
          statuses.set(name, status);
          options.onStatus?.(pool, status);
          for (const machine of status.machines) {
            if (machine.lastErrorCode)
              metrics.count('trellis_machine_errors_total', { code: machine.lastErrorCode });
          }
          logger.info(
            {
              pool: name,
              ready: status.ready,
              pending: status.pending,
              outdated: status.outdated,
              converged: status.converged,
            },
            'reconciled machine pool',
          );
          queue.forget(name);
          if (!status.converged) queue.addAfter(name, progressMs);
        } catch (error) {
          if (aborter.signal.aborted) return;
          const code = TrellisError.isInstance(error) ? error.code : 'Internal';
          metrics.count('trellis_reconcile_errors_total', { code });
          const delayMs = queue.addRateLimited(name);
          logger.warn(
            { pool: name, code, error: String((error as Error).message ?? error), retryInMs: delayMs },
            'machine pool reconcile failed',
          );
        } finally {
          metrics.observe('trellis_reconcile_seconds', (performance.now() - started) / 1000);
        }
      } finally {
        queue.done(name);
      }
    }
  }

  const workers = Array.from({ length: options.workers ?? 4 }, () => work());
  async function collectOrphans(
    collect: { minAgeMs?: number; dryRun?: boolean } = {},
  ): Promise<OrphanMachine[]> {
    const found: OrphanMachine[] = [];
    for (const cluster of new Set([...pools.values()].map((pool) => pool.cluster))) {
      const known = new Set(
        [...pools.values()].filter((pool) => pool.cluster === cluster).map((pool) => pool.name),
      );
      const collected = await collectOrphanMachines(options.provider as MachineProvider<unknown>, {
        cluster,
        accountedFor: (machine) => known.has(machine.tags[POOL_TAG] ?? ''),
        ...(collect.minAgeMs === undefined ? {} : { minAgeMs: collect.minAgeMs }),
        ...(collect.dryRun ? { dryRun: true } : {}),
        signal: aborter.signal,
      });
      metrics.count('trellis_api_calls_total', { action: 'listMachines' });
      for (const orphan of collected) {
        found.push(orphan);
        if (!orphan.deleted) continue;
        metrics.count('trellis_api_calls_total', { action: 'deleteMachine' });
        metrics.count('trellis_orphans_deleted_total', { reason: orphan.reason });
        logger.info(
          { cluster, machine: orphan.machine.name, reason: orphan.reason, ageMs: orphan.ageMs },
          'deleted orphan machine',
        );
      }
    }
    return found;
  }
  const collection = options.orphanCollection;
  const collector = collection
    ? setInterval(() => {
        collectOrphans({
          ...(collection.minAgeMs === undefined ? {} : { minAgeMs: collection.minAgeMs }),
          ...(collection.dryRun ? { dryRun: true } : {}),
        }).catch((error: unknown) => logger.warn({ error: String(error) }, 'orphan collection failed'));
      }, collection.intervalMs)
    : undefined;
  collector?.unref?.();

  // Not unref'd: a running controller keeps its process alive until stop(), as a server does.
  const resync = setInterval(() => {
    for (const name of pools.keys()) queue.add(name);
  }, options.resyncMs ?? 60_000);

  return {
    metrics,
    setPools(next) {
      const seen = new Set<string>();
      for (const pool of next) {
        const name = key(pool);
        seen.add(name);
        if (JSON.stringify(pools.get(name)) !== JSON.stringify(pool)) {
          pools.set(name, pool);
          queue.add(name);
        }
      }
      // A pool removed from the source is left as it is: its machines are orphans for the collection.
      for (const name of [...pools.keys()]) if (!seen.has(name)) pools.delete(name);
    },
    status: () => statuses,
    collectOrphans,
    async stop(graceMs = 30_000) {
      clearInterval(resync);
      if (collector) clearInterval(collector);
      queue.shutDown();
      const grace = setTimeout(() => aborter.abort(new Error('the controller stopped')), graceMs);
      await Promise.allSettled(workers);
      clearTimeout(grace);
    },
  };
}
