import type { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { CallOptions } from './call-options.js';
import type { Snapshot, StoredSnapshot } from './snapshot.js';

/** What `BackupStore.save` accepts as the snapshot's bytes. */
export type SnapshotSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | Readable;

/** Options of `BackupStore.list`. */
export interface ListSnapshotsOptions extends CallOptions {
  /**
   * Also return objects under the prefix that are not v2 snapshots' final objects
   * (never partial uploads). @default false
   */
  includeAll?: boolean;
}

/**
 * Saves, fetches, lists and deletes etcd snapshots in object storage (etcd-backup-restore's
 * snapstore). Names follow etcd-backup-restore's v2 layout (`<prefix>/v2/<name>`), so stores are
 * interchangeable with it.
 *
 * Rules every implementation keeps:
 * - `save` streams: it never holds a whole snapshot in memory; uploads are chunked and bounded.
 * - A snapshot is visible in `list` only once saved completely and verified; a failed or aborted
 *   save (source stream error, store error, abort) leaves nothing visible and cleans up partial
 *   uploads.
 * - `fetch` of a missing snapshot rejects with `NotFound`; a fetched stream errors (never ends
 *   quietly) when the stored bytes fail their checksum.
 * - `list` is ascending by last revision (see `compareSnapshots`).
 * - `delete` of a missing snapshot succeeds.
 */
export interface BackupStore {
  /** Version of this contract. */
  readonly specificationVersion: 'v1';
  /** Provider type name of the store (`local`, `aws`, `memory`, ...). */
  readonly provider: string;
  /** Streams `data` into the store under the snapshot's name. */
  save(snapshot: Snapshot, data: SnapshotSource, options?: CallOptions): Promise<StoredSnapshot>;
  /** Streams a stored snapshot's bytes. */
  fetch(snapshot: Snapshot, options?: CallOptions): Promise<Readable>;
  /** All complete snapshots, ascending by last revision. */
  list(options?: ListSnapshotsOptions): Promise<StoredSnapshot[]>;
  /** Deletes a snapshot; succeeds when it is absent. */
  delete(snapshot: Snapshot, options?: CallOptions): Promise<void>;
}
