import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { abortableSource, fixedSizeChunks, prefixDirectory } from './snapshot-source.js';

const context = { provider: 'test', operation: 'save' };

describe('abortableSource', () => {
  it('yields the bytes (strings as UTF-8), showing each chunk first', async () => {
    const seen: number[] = [];
    const chunks: Uint8Array[] = [];
    async function* source() {
      yield 'ab';
      yield Buffer.from('cde');
    }
    for await (const chunk of abortableSource(source() as AsyncIterable<Uint8Array>, {
      context,
      onChunk: (c) => seen.push(c.length),
    })) {
      chunks.push(chunk);
    }
    expect(Buffer.concat(chunks).toString()).toBe('abcde');
    expect(seen).toEqual([2, 3]);
  });

  it('rejects a hanging read at once with Canceled, and reports a failing source', async () => {
    const controller = new AbortController();
    async function* hangs() {
      yield Buffer.from('x');
      await new Promise(() => {});
    }
    const reading = (async () => {
      for await (const _ of abortableSource(hangs(), { signal: controller.signal, context }));
    })();
    setTimeout(() => controller.abort(), 5);
    expect(TrellisError.hasCode(await reading.catch((error: unknown) => error), 'Canceled')).toBe(true);
    let reported: unknown;
    const broken = new Error('disk gone');
    async function* fails() {
      yield Buffer.from('x');
      throw broken;
    }
    const failed = await (async () => {
      for await (const _ of abortableSource(fails(), {
        context,
        onSourceError: (error) => (reported = error),
      }));
    })().catch((error: unknown) => error);
    expect(failed).toBe(broken);
    expect(reported).toBe(broken);
  });
});

describe('fixedSizeChunks', () => {
  it('re-cuts any chunking into parts of exactly the size, the last shorter, bytes unchanged and copied', async () => {
    const reused = Buffer.alloc(7);
    async function* source() {
      for (let round = 0; round < 5; round++) {
        reused.fill(round);
        yield reused;
      }
      yield Buffer.alloc(0);
      yield Buffer.from([9, 9, 9]);
    }
    const parts: Buffer[] = [];
    for await (const part of fixedSizeChunks(source(), 10)) parts.push(part);
    expect(parts.map((part) => part.length)).toEqual([10, 10, 10, 8]);
    expect(Buffer.concat(parts)).toEqual(
      Buffer.concat([...[0, 1, 2, 3, 4].map((round) => Buffer.alloc(7, round)), Buffer.from([9, 9, 9])]),
    );
  });
});

describe('prefixDirectory', () => {
  it('ends a prefix in one slash, and leaves an empty one empty', () => {
    expect([prefixDirectory('etcd/main'), prefixDirectory('etcd/main//'), prefixDirectory('')]).toEqual([
      'etcd/main/',
      'etcd/main/',
      '',
    ]);
  });
});
