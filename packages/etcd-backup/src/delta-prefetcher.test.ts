import type { StoredSnapshot } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import type { DeltaEvent } from './delta-format.js';
import { createDeltaPrefetcher } from './delta-prefetcher.js';

/** Deltas of the given stored sizes, and a fetch whose answers the test settles by index. */
function deltasOf(sizes: Array<number | undefined>) {
  const deltas = sizes.map(
    (size, index) => ({ name: `Incr-${index}`, ...(size === undefined ? {} : { size }) }) as StoredSnapshot,
  );
  const started: number[] = [];
  const settle = new Map<number, { resolve(events: DeltaEvent[]): void; reject(error: Error): void }>();
  const fetch = (delta: StoredSnapshot) => {
    const index = deltas.indexOf(delta);
    started.push(index);
    return new Promise<DeltaEvent[]>((resolve, reject) => settle.set(index, { resolve, reject }));
  };
  const done = (index: number) => settle.get(index)?.resolve([]);
  return { deltas, fetch, started, done, settle };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('createDeltaPrefetcher', () => {
  it('fetches ahead, in order, while the held deltas stay within the byte budget', async () => {
    const { deltas, fetch, started, done } = deltasOf([10, 10, 10, 10, 10]);
    const prefetcher = createDeltaPrefetcher(deltas, { fetchConcurrency: 4, fetchAheadBytes: 25 }, fetch);
    prefetcher.start();
    expect(started).toEqual([0, 1]);
    done(0);
    done(1);
    await turn();
    expect(started).toEqual([0, 1]); // fetched, but held: still 20 of 25 bytes
    await prefetcher.take(0);
    expect(started).toEqual([0, 1, 2]);
    await prefetcher.take(1);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('keeps at most fetchConcurrency downloading, whatever the budget', async () => {
    const { deltas, fetch, started, done } = deltasOf([1, 1, 1, 1]);
    const prefetcher = createDeltaPrefetcher(deltas, { fetchConcurrency: 2 }, fetch);
    prefetcher.start();
    expect(started).toEqual([0, 1]);
    done(1);
    await turn();
    expect(started).toEqual([0, 1, 2]);
    done(0);
    done(2);
    await turn();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const index of [0, 1, 2]) await prefetcher.take(index);
  });

  it('always fetches the next delta, even one larger than the budget', async () => {
    const { deltas, fetch, started, done } = deltasOf([100, 100]);
    const prefetcher = createDeltaPrefetcher(deltas, { fetchAheadBytes: 10 }, fetch);
    prefetcher.start();
    expect(started).toEqual([0]);
    done(0);
    await prefetcher.take(0);
    expect(started).toEqual([0, 1]);
    done(1);
    await prefetcher.take(1);
  });

  it('counts a delta of unknown size as a share of the budget', () => {
    const { deltas, fetch, started } = deltasOf([undefined, undefined, undefined, undefined]);
    createDeltaPrefetcher(deltas, { fetchConcurrency: 4, fetchAheadBytes: 40 }, fetch).start();
    expect(started).toEqual([0, 1, 2, 3]);
    const second = deltasOf([undefined, undefined, undefined]);
    createDeltaPrefetcher(second.deltas, { fetchConcurrency: 2, fetchAheadBytes: 40 }, second.fetch).start();
    expect(second.started).toEqual([0, 1]);
  });

  it("a failed fetch fails the take of its delta, and the others' fetches go on", async () => {
    const { deltas, fetch, started, settle, done } = deltasOf([1, 1, 1]);
    const prefetcher = createDeltaPrefetcher(deltas, { fetchConcurrency: 1 }, fetch);
    prefetcher.start();
    settle.get(0)?.reject(new Error('checksum mismatch'));
    await expect(prefetcher.take(0)).rejects.toThrow('checksum mismatch');
    expect(started).toEqual([0, 1]);
    done(1);
    await prefetcher.take(1);
  });

  it('refuses a delta taken out of order', async () => {
    const { deltas, fetch } = deltasOf([1, 1, 1]);
    const prefetcher = createDeltaPrefetcher(deltas, { fetchConcurrency: 1, fetchAheadBytes: 1 }, fetch);
    prefetcher.start();
    await expect(prefetcher.take(2)).rejects.toThrow(/out of order/);
  });
});
