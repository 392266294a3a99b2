import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BackupStore,
  type CallOptions,
  invalidArgument,
  type Logger,
  resolveSignal,
  type StoredSnapshot,
  silentLogger,
  TrellisError,
  throwIfAborted,
} from '@trellis/core';
import { noop } from 'cockatiel';
import { applyDelta, beginDeltaApplication } from './apply-deltas.js';
import { createDeltaPrefetcher, type DeltaPrefetcher } from './delta-prefetcher.js';
import { SnapshotIntegrityError } from './errors.js';
import { createEtcdClient, currentRevision } from './etcd-connection.js';
import { startEtcdServer } from './etcd-server.js';
import { type RestoreMemberOptions, restoreSnapshotFile, snapshotFileStatus } from './etcdctl.js';
import { LoopbackTxnClient } from './loopback-txn.js';
import { planRestore, type RestorePlan, type RestoreTarget } from './restore-plan.js';
import { fetchDelta, fetchFullToScratch, hasEtcdTrailer, unreadable } from './snapshot-fetch.js';
import { memoryWal } from './temporary-wal.js';

/** Options of {@link restoreEtcd}. */
export interface RestoreOptions extends CallOptions, RestoreTarget, RestoreMemberOptions {
  store: BackupStore;
  /** The new data directory; must not exist. */
  dataDirectory: string;
  /** Deltas downloading at once, ahead of the one applying. @default 4 */
  fetchConcurrency?: number;
  /**
   * Stored (compressed) bytes of deltas held fetched ahead of the one applying: they download and
   * decode while the full snapshot restores and the restore etcd starts, off the critical path.
   * The next delta is always fetched. @default 64 MiB
   */
  fetchAheadBytes?: number;
  /**
   * Keep the restore etcd's write-ahead log in `/dev/shm` while deltas apply (moved back and
   * fsynced at the end): one disk fsync per source revision otherwise dominates. @default true
   */
  walInMemory?: boolean;
  /**
   * Directory for the decompressed full snapshot. By default `/dev/shm` when it has room, else
   * beside the data directory when its filesystem has room (etcdctl then copies it in the kernel),
   * else `os.tmpdir()`.
   */
  temporaryDirectory?: string;
  logger?: Logger;
}

/** What a restore did. */
export interface RestoreResult {
  plan: RestorePlan;
  /** Revision of the restored data directory. */
  revision: number;
}

/**
 * Restores the newest state (or the state at `revision` / `time`) into a new data directory:
 * the newest full snapshot through `etcdutl`/`etcdctl snapshot restore`, then every delta after
 * it applied in revision order on a temporary loopback etcd, then checks the final revision.
 * Any snapshot failing its integrity check is named in a {@link SnapshotIntegrityError}; gaps
 * are reported as {@link RevisionGapError}. On failure the data directory is removed.
 */
export async function restoreEtcd(options: RestoreOptions): Promise<RestoreResult> {
  const logger = options.logger ?? silentLogger;
  const { store, dataDirectory } = options;
  if (existsSync(dataDirectory)) {
    throw invalidArgument(`data directory ${dataDirectory} already exists`, [
      { path: 'dataDirectory', message: 'must not exist' },
    ]);
  }
  const plan = await planFromStore(store, options, logger);
  logger.info(
    { full: plan.full.name, deltas: plan.deltas.length, lastRevision: plan.lastRevision },
    'restoring etcd from snapshots',
  );
  let scratch: string | undefined;
  let wal: Awaited<ReturnType<typeof memoryWal>>;
  const deltas = createDeltaPrefetcher(plan.deltas, options, (delta) => fetchDelta(store, delta, options));
  try {
    scratch = await fetchFullToScratch(plan.full, options);
    const file = join(scratch, 'snapshot.db');
    logger.debug({ full: plan.full.name }, 'fetched the full snapshot');
    // The deltas download and decode while etcdctl restores the full snapshot and the restore etcd
    // starts (the fetch above keeps both cores busy; those leave one idle).
    deltas.start();
    // With deltas to apply, the write-ahead log is made in memory at once (not written to disk,
    // fsynced, and copied to memory); it moves back once the deltas are in.
    wal =
      plan.deltas.length > 0 && options.walInMemory !== false ? await memoryWal(dataDirectory) : undefined;
    // etcd's sha256 trailer is checked while etcdctl restores the file (told to skip its own check
    // of the same bytes); nothing restored is used before both are done. Without deltas, the file's
    // own revision is the result; with deltas the restore etcd reports it.
    const [trailer, restored, status] = await Promise.allSettled([
      hasEtcdTrailer(file),
      restoreSnapshotFile(file, dataDirectory, options, {
        hashVerified: true,
        ...(wal ? { walDirectory: wal.walDirectory } : {}),
      }),
      plan.deltas.length === 0 ? snapshotFileStatus(file) : undefined,
    ]);
    if (trailer.status === 'rejected') throw unreadable(plan.full, trailer.reason);
    if (!trailer.value) {
      throw new SnapshotIntegrityError(
        plan.full.name,
        "etcd's sha256 at the end of the snapshot does not match",
      );
    }
    if (restored.status === 'rejected') {
      throw new SnapshotIntegrityError(plan.full.name, (restored.reason as Error).message, restored.reason);
    }
    if (status.status === 'rejected') {
      throw new SnapshotIntegrityError(plan.full.name, 'etcd cannot read it', status.reason);
    }
    await rm(file, { force: true });
    logger.debug({ full: plan.full.name }, 'restored the full snapshot into the data directory');
    if (status.value) {
      if (status.value.revision < plan.full.lastRevision) {
        throw new SnapshotIntegrityError(
          plan.full.name,
          `holds revision ${status.value.revision}, below its name's`,
        );
      }
      return { plan, revision: status.value.revision };
    }
    const revision = await applyDeltas(plan, options, logger, deltas, wal);
    return { plan, revision };
  } catch (error) {
    await wal?.discard();
    await rm(dataDirectory, { recursive: true, force: true });
    throw error;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Directly under `<prefix>/v2/`: the layout Trellis reads. */
const isV2Key = (snapshot: StoredSnapshot) => /(^|\/)v2\/[^/]+$/.test(snapshot.key);

/**
 * Plans from the v2 snapshots, and looks at the rest of the prefix too: snapshots in
 * etcd-backup-restore's older v1 layout are not read, so a restore that would miss newer state
 * held there is refused, naming them; older ones are left aside with a warning.
 */
async function planFromStore(
  store: BackupStore,
  options: RestoreOptions,
  logger: Logger,
): Promise<RestorePlan> {
  const listed = await store.list({ ...options, includeAll: true });
  const others = listed.filter((snapshot) => !isV2Key(snapshot));
  const newestOther = others.reduce<StoredSnapshot | undefined>(
    (newest, snapshot) => (!newest || snapshot.lastRevision > newest.lastRevision ? snapshot : newest),
    undefined,
  );
  const unsupported = (reason: string) =>
    new TrellisError({
      code: 'Unimplemented',
      operation: 'restore',
      message:
        `${reason}: ${others.length} snapshot(s) in a layout Trellis does not read (etcd-backup-restore's v1), ` +
        `newest ${newestOther?.key} at revision ${newestOther?.lastRevision}. Restore them with ` +
        'etcd-backup-restore, or take a new full snapshot into the v2 layout first',
    });
  let plan: RestorePlan;
  try {
    plan = planRestore(listed.filter(isV2Key), options);
  } catch (error) {
    if (newestOther && TrellisError.hasCode(error, 'NotFound')) throw unsupported((error as Error).message);
    throw error;
  }
  if (newestOther) {
    const inTarget = options.revision === undefined || newestOther.lastRevision <= options.revision;
    if (inTarget && newestOther.lastRevision > plan.lastRevision) {
      throw unsupported(`the v2 snapshots reach revision ${plan.lastRevision} only`);
    }
    logger.warn(
      { snapshots: others.length, newest: newestOther.key, revision: newestOther.lastRevision },
      'snapshots in the v1 layout are present and not read (all are older than the v2 snapshots restored)',
    );
  }
  return plan;
}

async function applyDeltas(
  plan: RestorePlan,
  options: RestoreOptions,
  logger: Logger,
  deltas: DeltaPrefetcher,
  wal: Awaited<ReturnType<typeof memoryWal>>,
) {
  // On any failure restoreEtcd discards the in-memory log and removes the data directory.
  const server = await startEtcdServer({
    dataDirectory: options.dataDirectory,
    name: options.name ?? 'default',
    extraArguments: [
      '--max-txn-ops=1000000',
      // A lone member: elect itself quickly instead of after the default 1 s timeout.
      '--heartbeat-interval=5',
      '--election-timeout=50',
      '--max-request-bytes=33554432',
      ...(wal ? [`--wal-dir=${wal.walDirectory}`] : []),
    ],
  });
  let succeeded = false;
  // No retries and no circuit breaker: a transaction retried after a lost answer could apply twice
  // (the revision check would refuse the restore), and the loopback etcd needs no breaker. The
  // revisions' transactions go through their own lighter client (see LoopbackTxnClient).
  const client = createEtcdClient({
    endpoints: [server.endpoint],
    clientOptions: { faultHandling: { host: () => noop, global: noop } },
  });
  const txns = new LoopbackTxnClient(server.endpoint);
  try {
    const application = await beginDeltaApplication(client, txns, plan.lastRevision);
    try {
      const baseRevision = application.revision;
      if (baseRevision < plan.full.lastRevision) {
        throw new SnapshotIntegrityError(plan.full.name, `holds revision ${baseRevision}, below its name's`);
      }
      logger.debug({ revision: baseRevision }, 'restore etcd started; applying deltas');
      const signal = resolveSignal(options);
      for (let index = 0; index < plan.deltas.length; index++) {
        // Canceled or past its deadline: stop between deltas (the data directory is removed).
        throwIfAborted(signal, { operation: 'restore' });
        const delta = plan.deltas[index] as StoredSnapshot;
        const events = await deltas.take(index);
        await applyDelta(application, delta.name, delta.startRevision, events);
        logger.debug({ delta: delta.name, revision: application.revision }, 'applied delta snapshot');
        if (application.revision >= plan.lastRevision) break;
      }
      logger.debug({ revision: application.revision }, 'applied the deltas');
      const revoked = await application.leases.revokeEmpty();
      if (revoked.length > 0)
        logger.debug({ leases: revoked.length }, 'revoked leases whose keys the deltas deleted');
      const final = await currentRevision(client);
      const expected = Math.max(plan.lastRevision, baseRevision);
      if (final !== expected) {
        throw new TrellisError({
          code: 'Internal',
          message: `restored etcd ended at revision ${final}, expected ${expected}`,
          operation: 'restore',
        });
      }
      succeeded = true;
      return final;
    } finally {
      application.leases.stop();
    }
  } finally {
    txns.close();
    client.close();
    await server.stop();
    logger.debug({}, 'restore etcd stopped');
    if (succeeded) await wal?.moveBack();
  }
}
