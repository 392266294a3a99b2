import { EventEmitter } from 'node:events';
import {
  type BackupStore,
  type Logger,
  type RetentionPolicy,
  type StoredSnapshot,
  selectSnapshotsToDelete,
  silentLogger,
} from '@trellis/core';
import type { Etcd3 } from 'etcd3';
import { type Clock, systemClock } from './clock.js';
import { takeDeltaSnapshot } from './delta-snapshot.js';
import { CompactedRevisionError } from './errors.js';
import { takeFullSnapshot } from './full-snapshot.js';
import { FullSnapshotSchedule } from './full-snapshot-schedule.js';

/** Options of {@link Snapshotter}. */
export interface SnapshotterOptions {
  /** An etcd3 client for the etcd to back up (the caller closes it). */
  client: Etcd3;
  store: BackupStore;
  /**
   * When full snapshots are taken: an interval in milliseconds, or a 5-field cron expression
   * (UTC) like etcd-backup-restore's `--schedule`. @default 3_600_000 (hourly)
   */
  fullSnapshotSchedule?: number | string;
  /** Delta snapshot period in milliseconds; 0 disables deltas. @default 20_000 */
  deltaSnapshotPeriodMs?: number;
  /** Applied after every full snapshot; `false` never deletes. @default { policy: 'Exponential' } */
  retention?: RetentionPolicy | false;
  /** gzip level of full snapshots. @default 1 */
  compressionLevel?: number;
  /** @default the wall clock */
  clock?: Clock;
  logger?: Logger;
}

/** Why a snapshot was taken. */
export type SnapshotReason = 'schedule' | 'initial' | 'compacted' | 'final' | 'manual';

/** Events a {@link Snapshotter} emits, for metrics. */
export interface SnapshotterEvents {
  'snapshot-saved': [snapshot: StoredSnapshot, details: { reason: SnapshotReason; durationMs: number }];
  'snapshot-skipped': [details: { kind: 'Incr'; revision: number }];
  'snapshot-failed': [details: { kind: 'Full' | 'Incr'; error: unknown }];
  'gc-deleted': [snapshot: StoredSnapshot];
  'gc-failed': [details: { snapshot?: StoredSnapshot; error: unknown }];
}

/**
 * Takes full snapshots on a schedule and delta snapshots every period into a store, applies a
 * retention policy after each full snapshot, and can take a final snapshot when stopped. One
 * operation runs at a time; every outcome is logged and emitted.
 */
export class Snapshotter extends EventEmitter<SnapshotterEvents> {
  readonly #options: SnapshotterOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #schedule: FullSnapshotSchedule;
  #queue: Promise<unknown> = Promise.resolve();
  #lastSnapshot: StoredSnapshot | undefined;
  #lastFull: StoredSnapshot | undefined;
  #loaded = false;
  #running: { controller: AbortController; done: Promise<void> } | undefined;

  constructor(options: SnapshotterOptions) {
    super();
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#schedule = new FullSnapshotSchedule(options.fullSnapshotSchedule ?? 3_600_000);
  }

  /** The newest snapshot saved (or found in the store). */
  get lastSnapshot(): StoredSnapshot | undefined {
    return this.#lastSnapshot;
  }

  #serialized<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(operation, operation);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #load(): Promise<void> {
    if (this.#loaded) return;
    const snapshots = await this.#options.store.list();
    this.#lastSnapshot = snapshots.at(-1);
    this.#lastFull = snapshots.filter((snapshot) => snapshot.kind === 'Full').at(-1);
    this.#loaded = true;
  }

  #saved(snapshot: StoredSnapshot, reason: SnapshotReason, started: number): StoredSnapshot {
    this.#lastSnapshot = snapshot;
    if (snapshot.kind === 'Full') this.#lastFull = snapshot;
    const durationMs = Date.now() - started;
    this.#logger.info(
      { snapshot: snapshot.name, reason, durationMs },
      `saved ${snapshot.kind === 'Full' ? 'full' : 'delta'} snapshot`,
    );
    this.emit('snapshot-saved', snapshot, { reason, durationMs });
    return snapshot;
  }

  #failed(kind: 'Full' | 'Incr', error: unknown): never {
    this.#logger.error(
      { kind, error: error instanceof Error ? error.message : String(error) },
      'snapshot failed',
    );
    this.emit('snapshot-failed', { kind, error });
    throw error;
  }

  async #full(reason: SnapshotReason, isFinal: boolean): Promise<StoredSnapshot> {
    const started = Date.now();
    let snapshot: StoredSnapshot;
    try {
      snapshot = await takeFullSnapshot({
        client: this.#options.client,
        store: this.#options.store,
        createdOn: this.#clock.now(),
        isFinal,
        compressionLevel: this.#options.compressionLevel ?? 1,
      });
    } catch (error) {
      this.#failed('Full', error);
    }
    this.#saved(snapshot, reason, started);
    await this.#collectGarbage();
    return snapshot;
  }

  /** Takes a full snapshot now, then applies the retention policy. */
  takeFullSnapshot(options: { isFinal?: boolean; reason?: SnapshotReason } = {}): Promise<StoredSnapshot> {
    return this.#serialized(async () => {
      await this.#load();
      return this.#full(options.reason ?? 'manual', options.isFinal ?? false);
    });
  }

  /**
   * Saves the changes since the last snapshot as a delta; resolves undefined when nothing
   * changed. Takes a full snapshot instead when there is none yet, when the newest is a `.final`
   * one, or when etcd has compacted the revisions the delta needs.
   */
  takeDeltaSnapshot(
    options: { isFinal?: boolean; reason?: SnapshotReason } = {},
  ): Promise<StoredSnapshot | undefined> {
    return this.#serialized(async () => {
      await this.#load();
      const reason = options.reason ?? 'manual';
      const isFinal = options.isFinal ?? false;
      // No snapshot yet, or the newest is a final one: a delta must not chain onto it.
      if (!this.#lastSnapshot || this.#lastSnapshot.isFinal) return this.#full('initial', isFinal);
      const started = Date.now();
      let snapshot: StoredSnapshot | undefined;
      try {
        snapshot = await takeDeltaSnapshot({
          client: this.#options.client,
          store: this.#options.store,
          sinceRevision: this.#lastSnapshot.lastRevision,
          createdOn: this.#clock.now(),
          isFinal,
          now: () => this.#clock.now(),
        });
      } catch (error) {
        if (error instanceof CompactedRevisionError) {
          this.#logger.warn(
            { sinceRevision: this.#lastSnapshot.lastRevision, compactRevision: error.compactRevision },
            'etcd compacted the revisions of the next delta; taking a full snapshot instead',
          );
          return this.#full('compacted', isFinal);
        }
        this.#failed('Incr', error);
      }
      if (!snapshot) {
        this.#logger.debug(
          { revision: this.#lastSnapshot.lastRevision },
          'no changes since the last snapshot',
        );
        this.emit('snapshot-skipped', { kind: 'Incr', revision: this.#lastSnapshot.lastRevision });
        return undefined;
      }
      return this.#saved(snapshot, reason, started);
    });
  }

  async #collectGarbage(): Promise<StoredSnapshot[]> {
    const policy = this.#options.retention ?? { policy: 'Exponential' };
    const deleted: StoredSnapshot[] = [];
    if (policy === false) return deleted;
    try {
      const snapshots = await this.#options.store.list();
      for (const snapshot of selectSnapshotsToDelete(snapshots, policy, this.#clock.now())) {
        try {
          await this.#options.store.delete(snapshot);
          deleted.push(snapshot);
          this.#logger.info(
            { snapshot: snapshot.name, policy: policy.policy },
            'deleted snapshot (retention)',
          );
          this.emit('gc-deleted', snapshot);
        } catch (error) {
          this.#logger.warn({ snapshot: snapshot.name, error: String(error) }, 'could not delete snapshot');
          this.emit('gc-failed', { snapshot, error });
        }
      }
    } catch (error) {
      this.#logger.warn({ error: String(error) }, 'garbage collection failed');
      this.emit('gc-failed', { error });
    }
    return deleted;
  }

  /** Applies the retention policy now; resolves the deleted snapshots. */
  collectGarbage(): Promise<StoredSnapshot[]> {
    return this.#serialized(() => this.#collectGarbage());
  }

  /**
   * Starts the schedule: a full snapshot first when the newest full is due (or absent, or the
   * newest snapshot is a `.final` one),
   * then fulls on the schedule and deltas every period, until {@link Snapshotter.stop}.
   * Failures are logged and emitted; the schedule goes on.
   */
  start(): void {
    if (this.#running) return;
    const controller = new AbortController();
    const done = this.#run(controller.signal).catch((error) => {
      if (!controller.signal.aborted) this.#logger.error({ error: String(error) }, 'snapshotter stopped');
    });
    this.#running = { controller, done };
  }

  async #run(signal: AbortSignal): Promise<void> {
    await this.#serialized(() => this.#load());
    const fullLoop = async () => {
      // As etcd-backup-restore does: after a final snapshot, a restart begins with a new full one,
      // so no delta ever chains onto a `.final`.
      let afterFinal = this.#lastSnapshot?.isFinal === true;
      while (!signal.aborted) {
        const due =
          this.#lastFull && !afterFinal ? this.#schedule.next(this.#lastFull.createdOn) : this.#clock.now();
        const wait = due.getTime() - this.#clock.now().getTime();
        if (wait > 0) await this.#clock.sleep(wait, signal);
        if (signal.aborted) return;
        const reason = this.#lastFull && !afterFinal ? 'schedule' : 'initial';
        afterFinal = false;
        await this.takeFullSnapshot({ reason }).catch(async () => {
          await this.#clock.sleep(Math.min(60_000, this.#options.deltaSnapshotPeriodMs ?? 20_000), signal);
        });
      }
    };
    const deltaLoop = async () => {
      const period = this.#options.deltaSnapshotPeriodMs ?? 20_000;
      if (period <= 0) return;
      while (!signal.aborted) {
        await this.#clock.sleep(period, signal);
        if (signal.aborted) return;
        await this.takeDeltaSnapshot({ reason: 'schedule' }).catch(() => {});
      }
    };
    await Promise.all([fullLoop(), deltaLoop()]).catch((error) => {
      if (!signal.aborted) throw error;
    });
  }

  /**
   * Stops the schedule and waits for the running operation. With `finalSnapshot`, takes a last
   * full snapshot named `.final` (etcd-backup-restore's shutdown snapshot).
   */
  async stop(options: { finalSnapshot?: boolean } = {}): Promise<StoredSnapshot | undefined> {
    const running = this.#running;
    this.#running = undefined;
    running?.controller.abort();
    await running?.done;
    await this.#queue;
    if (options.finalSnapshot) return this.takeFullSnapshot({ isFinal: true, reason: 'final' });
    return undefined;
  }
}
