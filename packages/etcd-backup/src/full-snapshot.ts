import { createGzip } from 'node:zlib';
import type { BackupStore, CallOptions, Snapshot, StoredSnapshot } from '@trellis/core';
import type { Etcd3, ISnapshotResponse } from 'etcd3';
import { etcdError } from './errors.js';
import { currentRevision } from './etcd-connection.js';
import { writeVerifiedSnapshot } from './snapshot-chunks.js';
import { createScavenger } from './young-generation.js';

/** Options of {@link takeFullSnapshot}. */
export interface FullSnapshotOptions extends CallOptions {
  client: Etcd3;
  store: BackupStore;
  /** Creation time of the snapshot. @default now */
  createdOn?: Date;
  /** Name the snapshot `.final` (taken on shutdown). @default false */
  isFinal?: boolean;
  /** gzip level, 1 (fast) to 9. @default 1 */
  compressionLevel?: number;
  /**
   * Run a young-generation garbage collection every this many bytes of snapshot, so dead stream
   * buffers never pile up (see docs/etcd-backup.md, "Memory of a full snapshot"). 0 leaves it to V8.
   * @default 4 MiB
   */
  scavengeEveryBytes?: number;
}

/**
 * Streams etcd's snapshot through gzip into the store as `Full-00000000-<revision>-<unix>.gz`,
 * where revision is the store's revision when the snapshot started (the snapshot may hold a
 * few later revisions; restore reconciles them). Holds only a few chunks in memory; when etcd,
 * the stream or the store fails, the store's save rejects and nothing is listed.
 */
export async function takeFullSnapshot(options: FullSnapshotOptions): Promise<StoredSnapshot> {
  const { client, store } = options;
  const lastRevision = await currentRevision(client);
  const snapshot: Snapshot = {
    kind: 'Full',
    startRevision: 0,
    lastRevision,
    createdOn: options.createdOn ?? new Date(),
    compressionSuffix: '.gz',
    isFinal: options.isFinal ?? false,
  };
  let stream: AsyncIterable<ISnapshotResponse> & { destroy(): void };
  try {
    stream = (await client.maintenance.snapshot()) as unknown as typeof stream;
  } catch (error) {
    throw etcdError('snapshot', error);
  }
  // 64 KiB output buffers: measured ~3 MiB lower peak RSS than 256 KiB at the same throughput
  // (a large buffer stays alive until its last slice is written); 16 KiB was slower.
  const gzip = createGzip({ level: options.compressionLevel ?? 1, chunkSize: 64 * 1024 });
  // A failure on etcd's side destroys gzip with the error, which fails the store's save.
  const scavenge = createScavenger(options.scavengeEveryBytes ?? 4 * 1024 * 1024);
  const writing = writeVerifiedSnapshot(stream, gzip, scavenge).catch((error: unknown) => {
    gzip.destroy(error as Error);
  });
  try {
    return await store.save(snapshot, gzip, options);
  } finally {
    gzip.destroy();
    stream.destroy();
    await writing;
  }
}
