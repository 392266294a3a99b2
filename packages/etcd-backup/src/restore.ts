import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflate } from 'node:zlib';
import {
  type BackupStore,
  type CallOptions,
  invalidArgument,
  type Logger,
  type StoredSnapshot,
  silentLogger,
  TrellisError,
} from '@trellis/core';
import { noop } from 'cockatiel';
import { applyDelta, beginDeltaApplication } from './apply-deltas.js';
import { type DeltaEvent, decodeDeltaPayload } from './delta-format.js';
import { SnapshotIntegrityError } from './errors.js';
import { createEtcdClient, currentRevision } from './etcd-connection.js';
import { startEtcdServer } from './etcd-server.js';
import { EtcdTrailerHash } from './etcd-trailer-hash.js';
import { type RestoreMemberOptions, restoreSnapshotFile, snapshotFileStatus } from './etcdctl.js';
import { LzwDecoder } from './lzw.js';
import { planRestore, type RestorePlan, type RestoreTarget } from './restore-plan.js';
import { memoryDirectoryWithRoom, memoryWal } from './temporary-wal.js';

/** Options of {@link restoreEtcd}. */
export interface RestoreOptions extends CallOptions, RestoreTarget, RestoreMemberOptions {
  store: BackupStore;
  /** The new data directory; must not exist. */
  dataDirectory: string;
  /** Deltas fetched ahead in parallel while one applies. @default 4 */
  fetchConcurrency?: number;
  /**
   * Keep the restore etcd's write-ahead log in `/dev/shm` while deltas apply (moved back and
   * fsynced at the end): one disk fsync per source revision otherwise dominates. @default true
   */
  walInMemory?: boolean;
  /** Directory for temporary files. @default os.tmpdir() */
  temporaryDirectory?: string;
  logger?: Logger;
}

/** What a restore did. */
export interface RestoreResult {
  plan: RestorePlan;
  /** Revision of the restored data directory. */
  revision: number;
}

/** Chunk size of decompression and of the restored file's writes. */
const DECOMPRESS_CHUNK_BYTES = 1024 * 1024;

/**
 * Checks etcd's trailing sha256 of a snapshot file while it streams past. Each chunk is hashed on the
 * next turn of the event loop, not inside the decompressor's push: zlib starts inflating the next
 * chunk on the thread pool only once its push returns, so hashing inside it ran the two one after the
 * other (a 208 MiB restore spent ~65 ms more).
 */
function sha256Trailer(onMismatch: () => Error): Transform {
  const trailer = new EtcdTrailerHash();
  return new Transform({
    highWaterMark: 4 * DECOMPRESS_CHUNK_BYTES,
    transform(chunk: Buffer, _encoding, callback) {
      setImmediate(() => {
        trailer.update(chunk);
        callback(null, chunk);
      });
    },
    flush(callback) {
      callback(trailer.matches() ? null : onMismatch());
    },
  });
}

/**
 * The stored bytes, decompressed as the name's suffix says (etcd-backup-restore's three): `.gz`
 * gzip and `.zlib` zlib (their checksums and lengths are checked), `.Z` Go's LZW.
 */
function decompressed(snapshot: StoredSnapshot, body: Readable): Readable {
  const suffix = snapshot.compressionSuffix ?? '';
  if (suffix === '') return body;
  // 1 MiB output buffers: with zlib's default 16 KiB, gunzipping a 200 MB snapshot took 2-3x longer.
  const decoder =
    suffix === '.gz'
      ? createGunzip({ chunkSize: DECOMPRESS_CHUNK_BYTES })
      : suffix === '.zlib'
        ? createInflate({ chunkSize: DECOMPRESS_CHUNK_BYTES })
        : new LzwDecoder();
  body.on('error', (error) => decoder.destroy(error));
  return body.pipe(decoder);
}

/** Why a snapshot could not be read: a cancellation or deadline as it is, anything else its integrity. */
function unreadable(snapshot: StoredSnapshot, error: unknown): unknown {
  if (TrellisError.hasCode(error, 'Canceled') || TrellisError.hasCode(error, 'DeadlineExceeded'))
    return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SnapshotIntegrityError(snapshot.name, message, error);
}

async function fetchFullToFile(
  store: BackupStore,
  snapshot: StoredSnapshot,
  file: string,
  options: CallOptions,
) {
  try {
    const body = await store.fetch(snapshot, options);
    await pipeline(
      decompressed(snapshot, body),
      sha256Trailer(() => new Error("etcd's sha256 at the end of the snapshot does not match")),
      createWriteStream(file, { highWaterMark: DECOMPRESS_CHUNK_BYTES }),
    );
  } catch (error) {
    throw unreadable(snapshot, error);
  }
}

async function fetchDelta(
  store: BackupStore,
  snapshot: StoredSnapshot,
  options: CallOptions,
): Promise<DeltaEvent[]> {
  const chunks: Buffer[] = [];
  try {
    const body = await store.fetch(snapshot, options);
    await pipeline(decompressed(snapshot, body), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk);
    });
  } catch (error) {
    throw unreadable(snapshot, error);
  }
  const events = decodeDeltaPayload(Buffer.concat(chunks), snapshot.name);
  const first = events[0]?.kv.modRevision;
  const last = events.at(-1)?.kv.modRevision;
  if (first !== snapshot.startRevision || last !== snapshot.lastRevision) {
    throw new SnapshotIntegrityError(
      snapshot.name,
      `holds revisions ${first ?? 'none'}..${last ?? 'none'}, its name says ${snapshot.startRevision}..${snapshot.lastRevision}`,
    );
  }
  return events;
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
  // The decompressed snapshot goes to memory when it surely fits (ten times its stored size): on
  // disk, its write-back competes with the fsync of the data directory etcd restores it into.
  const memory = options.temporaryDirectory
    ? undefined
    : await memoryDirectoryWithRoom((plan.full.size ?? Number.POSITIVE_INFINITY) * 10);
  let work = await mkdtemp(join(options.temporaryDirectory ?? memory ?? tmpdir(), 'trellis-restore-'));
  let wal: Awaited<ReturnType<typeof memoryWal>>;
  // The first deltas download while the full snapshot is fetched and restored.
  const deltas = createDeltaPrefetcher(plan, options);
  deltas.ahead(0);
  try {
    let file = join(work, 'snapshot.db');
    try {
      await fetchFullToFile(store, plan.full, file, options);
    } catch (error) {
      if (!memory || (error as { cause?: NodeJS.ErrnoException }).cause?.code !== 'ENOSPC') throw error;
      // More than ten times smaller when stored: fetch it again onto the disk.
      await rm(work, { recursive: true, force: true });
      work = await mkdtemp(join(tmpdir(), 'trellis-restore-'));
      file = join(work, 'snapshot.db');
      await fetchFullToFile(store, plan.full, file, options);
    }
    logger.debug({ full: plan.full.name }, 'fetched and verified the full snapshot');
    // Without deltas the file's own revision is the result; with deltas the restore etcd reports it.
    const status =
      plan.deltas.length === 0
        ? await snapshotFileStatus(file).catch((error: unknown) => {
            throw new SnapshotIntegrityError(plan.full.name, 'etcd cannot read it', error);
          })
        : undefined;
    // With deltas to apply, the write-ahead log is made in memory at once (not written to disk,
    // fsynced, and copied to memory); it moves back once the deltas are in.
    wal =
      plan.deltas.length > 0 && options.walInMemory !== false ? await memoryWal(dataDirectory) : undefined;
    // fetchFullToFile checked etcd's sha256 trailer of these bytes as they streamed past.
    await restoreSnapshotFile(file, dataDirectory, options, {
      hashVerified: true,
      ...(wal ? { walDirectory: wal.walDirectory } : {}),
    }).catch((error: unknown) => {
      throw new SnapshotIntegrityError(plan.full.name, (error as Error).message, error);
    });
    await rm(file, { force: true });
    logger.debug({ full: plan.full.name }, 'restored the full snapshot into the data directory');
    if (status) {
      if (status.revision < plan.full.lastRevision) {
        throw new SnapshotIntegrityError(
          plan.full.name,
          `holds revision ${status.revision}, below its name's`,
        );
      }
      return { plan, revision: status.revision };
    }
    const revision = await applyDeltas(plan, options, logger, deltas, wal);
    return { plan, revision };
  } catch (error) {
    await wal?.discard();
    await rm(dataDirectory, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
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

/**
 * Fetches and verifies deltas ahead of their application, at most `fetchConcurrency` at a time
 * beyond the one being applied.
 */
function createDeltaPrefetcher(plan: RestorePlan, options: RestoreOptions) {
  const concurrency = Math.max(1, options.fetchConcurrency ?? 4);
  const pending = new Map<number, Promise<DeltaEvent[]>>();
  const fetchAt = (index: number) => {
    const delta = plan.deltas[index];
    if (!delta || pending.has(index)) return;
    const promise = fetchDelta(options.store, delta, options);
    promise.catch(() => {});
    pending.set(index, promise);
  };
  return {
    /** Starts fetching the deltas from `index` on, up to the concurrency. */
    ahead(index: number) {
      for (let next = index; next < index + concurrency; next++) fetchAt(next);
    },
    /** The events of delta `index` (fetching it now if needed), and the next ones fetched ahead. */
    async take(index: number): Promise<DeltaEvent[]> {
      this.ahead(index);
      const events = await (pending.get(index) as Promise<DeltaEvent[]>);
      pending.delete(index);
      return events;
    },
  };
}

async function applyDeltas(
  plan: RestorePlan,
  options: RestoreOptions,
  logger: Logger,
  deltas: ReturnType<typeof createDeltaPrefetcher>,
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
  // (the revision check would refuse the restore), and the loopback etcd needs no breaker; the
  // transactions run one at a time, so the policies' cost is on the restore's critical path.
  const client = createEtcdClient({
    endpoints: [server.endpoint],
    clientOptions: { faultHandling: { host: () => noop, global: noop } },
  });
  try {
    const application = await beginDeltaApplication(client, plan.lastRevision);
    try {
      const baseRevision = application.revision;
      if (baseRevision < plan.full.lastRevision) {
        throw new SnapshotIntegrityError(plan.full.name, `holds revision ${baseRevision}, below its name's`);
      }
      logger.debug({ revision: baseRevision }, 'restore etcd started; applying deltas');
      for (let index = 0; index < plan.deltas.length; index++) {
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
    client.close();
    await server.stop();
    logger.debug({}, 'restore etcd stopped');
    if (succeeded) await wal?.moveBack();
  }
}
