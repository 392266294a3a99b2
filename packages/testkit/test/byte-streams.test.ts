import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectBytes, failingSource, randomBytesSource, sha256Of } from '../src/index.js';

describe('stream helpers', () => {
  it('randomBytesSource is exact in size, deterministic per seed and chunked', async () => {
    const chunks: number[] = [];
    for await (const chunk of randomBytesSource(100_000, { chunkSize: 30_000, seed: 7 }))
      chunks.push(chunk.length);
    expect(chunks).toEqual([30_000, 30_000, 30_000, 10_000]);
    const first = await collectBytes(randomBytesSource(100_000, { seed: 7 }));
    const again = await collectBytes(randomBytesSource(100_000, { seed: 7, chunkSize: 999 }));
    const other = await collectBytes(randomBytesSource(100_000, { seed: 8 }));
    expect(first.length).toBe(100_000);
    expect(first.equals(again)).toBe(true);
    expect(first.equals(other)).toBe(false);
    expect(await collectBytes(randomBytesSource(0))).toHaveLength(0);
  });

  it('failingSource yields exactly failAfterBytes, then throws the error', async () => {
    const error = new Error('disk on fire');
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of failingSource(1_000_000, 150_000, error)) received += chunk.length;
      })(),
    ).rejects.toBe(error);
    expect(received).toBe(150_000);
  });

  it('sha256Of hashes a stream; collectBytes reads node streams', async () => {
    expect(await sha256Of(Readable.from([Buffer.from('abc')]))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect((await collectBytes(Readable.from(['a', 'b']))).toString()).toBe('ab');
  });
});
