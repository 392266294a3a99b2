import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { KeyedBatcher } from './keyed-batcher.js';

function recorder(fail?: (keys: string[]) => unknown) {
  const batches: string[][] = [];
  const fetch = async (keys: string[]) => {
    batches.push([...keys]);
    const error = fail?.(keys);
    if (error) throw error;
    return new Map(keys.filter((key) => !key.startsWith('missing')).map((key) => [key, key.toUpperCase()]));
  };
  return { batches, fetch };
}

describe('KeyedBatcher', () => {
  it('merges concurrent reads inside the window into one call, and answers each caller', async () => {
    const clock = new ManualClock();
    const { batches, fetch } = recorder();
    const batcher = new KeyedBatcher({ windowMs: 10, maxKeys: 100, fetch, clock });
    const reads = ['a', 'b', 'a', 'missing-c'].map((key) => batcher.get(key));
    await clock.advance(10);
    expect(await Promise.all(reads)).toEqual(['A', 'B', 'A', undefined]);
    expect(batches).toEqual([['a', 'b', 'missing-c']]);
  });

  it('sends a full batch at once, without waiting for the window', async () => {
    const clock = new ManualClock();
    const { batches, fetch } = recorder();
    const batcher = new KeyedBatcher({ windowMs: 1000, maxKeys: 2, fetch, clock });
    const reads = ['a', 'b', 'c'].map((key) => batcher.get(key));
    await clock.advance(0);
    expect(batches).toEqual([['a', 'b']]);
    await clock.advance(1000);
    await Promise.all(reads);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('fails every waiter of a failed batch unless the error allows a per-key fallback', async () => {
    const clock = new ManualClock();
    const broken = new TrellisError({ code: 'Unavailable', message: 'down' });
    const plain = new KeyedBatcher({ windowMs: 1, maxKeys: 10, fetch: recorder(() => broken).fetch, clock });
    const failed = ['a', 'b'].map((key) => plain.get(key).catch((error: unknown) => error));
    await clock.advance(1);
    expect(await Promise.all(failed)).toEqual([broken, broken]);

    const invalid = new TrellisError({ code: 'InvalidArgument', message: 'bad id' });
    const { batches, fetch } = recorder((keys) =>
      keys.length > 1 || keys[0] === 'bad' ? invalid : undefined,
    );
    const batcher = new KeyedBatcher({
      windowMs: 1,
      maxKeys: 10,
      fetch,
      clock,
      fallbackPerKey: (error) => TrellisError.hasCode(error, 'InvalidArgument'),
    });
    const reads = ['a', 'bad', 'c'].map((key) => batcher.get(key).catch((error: unknown) => error));
    await clock.advance(1);
    expect(await Promise.all(reads)).toEqual(['A', invalid, 'C']);
    expect(batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('lets one caller abort without affecting the batch', async () => {
    const clock = new ManualClock();
    const { fetch } = recorder();
    const batcher = new KeyedBatcher({ windowMs: 5, maxKeys: 10, fetch, clock });
    const controller = new AbortController();
    const aborted = batcher.get('a', controller.signal).catch((error: unknown) => error);
    const other = batcher.get('b');
    controller.abort();
    expect(TrellisError.hasCode(await aborted, 'Canceled')).toBe(true);
    await clock.advance(5);
    expect(await other).toBe('B');
  });
});
