import { createHash } from 'node:crypto';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import type { ISnapshotResponse } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { releaseChunk, writeVerifiedSnapshot } from './snapshot-chunks.js';

/** An etcd-like snapshot stream: the data, then its sha256, in messages of `size` bytes. */
async function* snapshotMessages(
  data: Buffer,
  size: number,
  hash?: Buffer,
): AsyncGenerator<ISnapshotResponse> {
  const all = Buffer.concat([data, hash ?? createHash('sha256').update(data).digest()]);
  for (let offset = 0; offset < all.length; offset += size) {
    const blob = Buffer.alloc(Math.min(size, all.length - offset));
    all.copy(blob, 0, offset);
    yield { blob } as unknown as ISnapshotResponse;
  }
}

/** Everything gzip emits, decompressed. */
async function gunzipped(gzip: Gzip): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of gzip.pipe(createGunzip())) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('releaseChunk', () => {
  it('frees a chunk that owns its buffer', () => {
    const chunk = Buffer.alloc(32 * 1024, 1);
    releaseChunk(chunk);
    expect(chunk.buffer.byteLength).toBe(0);
  });

  it('leaves chunks that share their buffer alone', () => {
    const pooled = Buffer.from('a small pooled chunk');
    const large = Buffer.alloc(256 * 1024, 2);
    const view = large.subarray(0, 32 * 1024);
    releaseChunk(pooled);
    releaseChunk(view);
    expect(pooled.toString()).toBe('a small pooled chunk');
    expect(large.length).toBe(256 * 1024);
    expect(view[0]).toBe(2);
  });
});

describe('writeVerifiedSnapshot', () => {
  it('passes every byte through and ends the destination when the sha256 matches', async () => {
    const data = Buffer.alloc(100_000, 7);
    for (let index = 0; index < data.length; index += 97) data[index] = index % 251;
    for (const size of [32 * 1024, 1000, 20]) {
      const gzip = createGzip();
      const received = gunzipped(gzip);
      await writeVerifiedSnapshot(snapshotMessages(data, size), gzip);
      expect((await received).equals(Buffer.concat([data, sha(data)]))).toBe(true);
    }
  });

  it('releases each 32 KiB message once gzip has compressed it', async () => {
    const blobs: Buffer[] = [];
    async function* remembered(): AsyncGenerator<ISnapshotResponse> {
      for await (const message of snapshotMessages(Buffer.alloc(200_000, 5), 32 * 1024)) {
        blobs.push(message.blob);
        yield message;
      }
    }
    const gzip = createGzip();
    const received = gunzipped(gzip);
    await writeVerifiedSnapshot(remembered(), gzip);
    expect((await received).length).toBe(200_000 + 32);
    const full = blobs.filter((blob) => blob.buffer.byteLength === 0 || blob.length === 32 * 1024);
    expect(full.length).toBe(6);
    expect(full.every((blob) => blob.buffer.byteLength === 0)).toBe(true);
  });

  it('rejects without ending the destination when the sha256 does not match', async () => {
    const data = Buffer.alloc(50_000, 3);
    const gzip = createGzip();
    let ended = false;
    gzip.on('end', () => {
      ended = true;
    });
    gzip.resume();
    await expect(writeVerifiedSnapshot(snapshotMessages(data, 4096, Buffer.alloc(32)), gzip)).rejects.toThrow(
      /without a matching sha256/,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toBe(false);
  });
});

function sha(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
