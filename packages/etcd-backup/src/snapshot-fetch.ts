import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflate } from 'node:zlib';
import { type BackupStore, type CallOptions, type StoredSnapshot, TrellisError } from '@trellis/core';
import { type DeltaEvent, decodeDeltaPayload } from './delta-format.js';
import { SnapshotIntegrityError } from './errors.js';
import { EtcdTrailerHash } from './etcd-trailer-hash.js';
import { LzwDecoder } from './lzw.js';
import { snapshotScratchPlaces } from './scratch-space.js';

/** Chunk size of decompression and of the restored file's writes and reads. */
const DECOMPRESS_CHUNK_BYTES = 1024 * 1024;

/**
 * Whether a snapshot file ends with etcd's sha256 of the bytes before it. Read through one buffer
 * (allocates nothing per chunk): it runs beside `etcdctl snapshot restore` of the same file, on a
 * core the restore leaves idle, instead of on the fetch's busy main thread.
 */
export async function hasEtcdTrailer(file: string): Promise<boolean> {
  const trailer = new EtcdTrailerHash();
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 * DECOMPRESS_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      trailer.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return trailer.matches();
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
export function unreadable(snapshot: StoredSnapshot, error: unknown): unknown {
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
      createWriteStream(file, { highWaterMark: DECOMPRESS_CHUNK_BYTES }),
    );
  } catch (error) {
    throw unreadable(snapshot, error);
  }
}

export async function fetchDelta(
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
 * Fetches, decompresses and writes the full snapshot to `snapshot.db` in a new scratch directory
 * (see {@link snapshotScratchPlaces}), moving on to the next place when one runs out of space.
 */
export async function fetchFullToScratch(
  full: StoredSnapshot,
  options: CallOptions & { store: BackupStore; dataDirectory: string; temporaryDirectory?: string },
): Promise<string> {
  const places = await snapshotScratchPlaces(options.dataDirectory, full.size, options.temporaryDirectory);
  for (const [index, place] of places.entries()) {
    const scratch = await mkdtemp(join(place, '.trellis-restore-'));
    try {
      await fetchFullToFile(options.store, full, join(scratch, 'snapshot.db'), options);
      return scratch;
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      const outOfSpace = (error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOSPC';
      if (!outOfSpace || index === places.length - 1) throw error;
    }
  }
  throw new Error('no place to put the snapshot');
}
