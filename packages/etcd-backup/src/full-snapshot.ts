import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { BackupStore, CallOptions, Snapshot, StoredSnapshot } from '@trellis/core';
import type { Etcd3, ISnapshotResponse } from 'etcd3';
import { etcdError } from './errors.js';
import { currentRevision } from './etcd-connection.js';

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
}

/** Size of the sha256 etcd appends to the snapshot stream. */
const ETCD_HASH_SIZE = 32;

/**
 * Yields the snapshot stream's bytes while checking etcd's trailing sha256; errors at the end,
 * before the consumer sees a clean end, when it does not match.
 */
async function* verifiedSnapshotBytes(stream: AsyncIterable<ISnapshotResponse>): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let tail = Buffer.alloc(0);
  try {
    for await (const message of stream) {
      const blob = message.blob;
      if (!blob?.length) continue;
      yield blob;
      if (blob.length >= ETCD_HASH_SIZE) {
        hash.update(tail);
        hash.update(blob.subarray(0, blob.length - ETCD_HASH_SIZE));
        tail = Buffer.from(blob.subarray(blob.length - ETCD_HASH_SIZE));
      } else {
        const combined = Buffer.concat([tail, blob]);
        hash.update(combined.subarray(0, combined.length - ETCD_HASH_SIZE));
        tail = combined.subarray(combined.length - ETCD_HASH_SIZE);
      }
    }
  } catch (error) {
    throw etcdError('snapshot', error);
  }
  if (tail.length < ETCD_HASH_SIZE || !hash.digest().equals(tail)) {
    throw etcdError('snapshot', new Error('the snapshot stream ended without a matching sha256'));
  }
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
  let stream: Readable;
  try {
    stream = (await client.maintenance.snapshot()) as unknown as Readable;
  } catch (error) {
    throw etcdError('snapshot', error);
  }
  const source = Readable.from(verifiedSnapshotBytes(stream));
  const gzip = createGzip({ level: options.compressionLevel ?? 1, chunkSize: 256 * 1024 });
  pipeline(source, gzip, () => {});
  try {
    return await store.save(snapshot, gzip, options);
  } finally {
    gzip.destroy();
    stream.destroy();
  }
}
