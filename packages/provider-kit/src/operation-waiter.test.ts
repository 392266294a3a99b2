import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { waitForOperation } from './operation-waiter.js';
import { type Page, paginate } from './pagination.js';

describe('waitForOperation', () => {
  it('polls at once, then backs off until the operation is done', async () => {
    const clock = new ManualClock();
    const polledAt: number[] = [];
    const waiting = waitForOperation({
      poll: async (attempt) => {
        polledAt.push(clock.now());
        return attempt < 4 ? { done: false } : { done: true, result: 'DONE' };
      },
      initialDelayMs: 100,
      factor: 2,
      maxDelayMs: 300,
      clock,
    });
    await clock.runAll();
    await expect(waiting).resolves.toBe('DONE');
    expect(polledAt).toEqual([0, 100, 300, 600]);
  });

  it("throws the operation's own error when it failed", async () => {
    const failure = new TrellisError({ code: 'ResourceExhausted', message: 'ZONE_RESOURCE_POOL_EXHAUSTED' });
    await expect(waitForOperation({ poll: async () => ({ done: true, error: failure }) })).rejects.toBe(
      failure,
    );
  });

  it('gives up with DeadlineExceeded naming what it waited for', async () => {
    const clock = new ManualClock();
    const waiting = waitForOperation({
      poll: async () => ({ done: false }),
      initialDelayMs: 1000,
      factor: 1,
      timeoutMs: 5000,
      what: 'NAT gateway ngw-1',
      context: { provider: 'aws', operation: 'reconcile:nat' },
      clock,
    }).catch((error: unknown) => error);
    await clock.runAll();
    const error = (await waiting) as TrellisError;
    expect(error.code).toBe('DeadlineExceeded');
    expect(error.message).toContain('NAT gateway ngw-1');
    expect(error.provider).toBe('aws');
  });

  it('uses the interval the cloud suggests and stops on abort', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    let polls = 0;
    const waiting = waitForOperation({
      poll: async () => {
        polls += 1;
        return { done: false };
      },
      nextDelayMs: () => 50,
      signal: controller.signal,
      clock,
    }).catch((error: unknown) => error);
    await clock.advance(100);
    expect(polls).toBe(3);
    controller.abort();
    expect(TrellisError.hasCode(await waiting, 'Canceled')).toBe(true);
  });
});

describe('paginate', () => {
  const pages: Record<string, Page<number>> = {
    first: { items: [1, 2], next: 't1' },
    t1: { items: [3], next: 't2' },
    t2: { items: [4, 5], next: '' },
  };

  it('reads page after page, only as the items are used', async () => {
    const tokens: Array<string | undefined> = [];
    const iterator = paginate({
      fetchPage: async (token) => {
        tokens.push(token);
        return pages[token ?? 'first']!;
      },
    });
    const first = await iterator.next();
    expect(first.value).toBe(1);
    expect(tokens).toEqual([undefined]);
    const rest: number[] = [];
    for await (const item of iterator) rest.push(item);
    expect(rest).toEqual([2, 3, 4, 5]);
    expect(tokens).toEqual([undefined, 't1', 't2']);
  });

  it('stops a cloud that repeats its token, and a list over the page limit', async () => {
    const loop = paginate({ fetchPage: async () => ({ items: [1], next: 'same' }) });
    await expect(async () => {
      for await (const _ of loop);
    }).rejects.toThrow(/again/);
    let page = 0;
    const endless = paginate({ fetchPage: async () => ({ items: [page], next: `p${++page}` }), maxPages: 3 });
    const error = await (async () => {
      for await (const _ of endless);
    })().catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'OutOfRange')).toBe(true);
  });
});
