import type { Writable } from 'node:stream';
import type { Gzip } from 'node:zlib';
import type { ISnapshotResponse } from 'etcd3';
import { etcdError } from './errors.js';
import { EtcdTrailerHash } from './etcd-trailer-hash.js';

/** Bytes of gRPC framing and protobuf header an etcd snapshot message's buffer holds besides its blob. */
const MESSAGE_OVERHEAD_LIMIT = 64;

/** Smallest blob worth releasing; Node's Buffer pool only serves allocations smaller than this. */
const RELEASE_FLOOR = 4096;

type TransferableArrayBuffer = ArrayBuffer & {
  transfer?: (length?: number) => ArrayBuffer;
  detached?: boolean;
};

/**
 * Frees a snapshot chunk's memory now instead of at V8's next garbage collection, when the chunk
 * is the only thing in its ArrayBuffer (grpc-js copies every received message into a buffer of its
 * own, so each 32 KiB blob owns one). A chunk that shares its buffer (Buffer's pool, a larger
 * allocation) is left to the garbage collector.
 */
export function releaseChunk(chunk: Uint8Array): void {
  const buffer = chunk.buffer as TransferableArrayBuffer;
  if (
    typeof buffer.transfer !== 'function' ||
    buffer.detached ||
    chunk.byteLength < RELEASE_FLOOR ||
    buffer.byteLength - chunk.byteLength > MESSAGE_OVERHEAD_LIMIT
  ) {
    return;
  }
  buffer.transfer(0);
}

/** Resolves when the destination wants more data, or has closed. */
function drained(destination: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      destination.off('drain', done);
      destination.off('close', done);
      resolve();
    };
    destination.on('drain', done);
    destination.on('close', done);
  });
}

/**
 * Writes etcd's snapshot stream into gzip with back-pressure: the next message is read from etcd
 * only when gzip has room. Checks etcd's trailing sha256 on the way and ends gzip only when it
 * matches; rejects (without ending it) when etcd fails, the stream breaks or the hash does not
 * match. Stops quietly when gzip is destroyed (its consumer gave up).
 *
 * Each message's buffer is released as soon as gzip has compressed it (zlib has copied the bytes
 * by the time a write's callback runs), instead of lingering until V8's next scavenge: that is
 * what keeps a full snapshot's memory flat. This is only safe because the destination is zlib;
 * a pass-through destination would hand the released bytes on.
 */
export async function writeVerifiedSnapshot(
  stream: AsyncIterable<ISnapshotResponse>,
  destination: Gzip,
  onBytes: (bytes: number) => void = () => {},
): Promise<void> {
  const trailer = new EtcdTrailerHash();
  try {
    for await (const message of stream) {
      if (destination.destroyed) return;
      const blob = message.blob;
      if (!blob?.length) continue;
      trailer.update(blob);
      // The write callback runs once zlib has consumed the whole chunk (or failed).
      const hasRoom = destination.write(blob, (error) => {
        if (!error) releaseChunk(blob);
      });
      onBytes(blob.length);
      if (!hasRoom) await drained(destination);
    }
  } catch (error) {
    throw etcdError('snapshot', error);
  }
  if (destination.destroyed) return;
  if (!trailer.matches()) {
    throw etcdError('snapshot', new Error('the snapshot stream ended without a matching sha256'));
  }
  destination.end();
}
