import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { RateLimiter } from './rate-limiter.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('serves the burst at once, then one caller per refill, first come first served', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 }, clock);
    const order: number[] = [];
    const takes = [1, 2, 3, 4].map((index) => bucket.take().then(() => order.push(index)));
    await clock.advance(0);
    expect(order).toEqual([1, 2]);
    await clock.advance(999);
    expect(order).toEqual([1, 2]);
    await clock.advance(1);
    expect(order).toEqual([1, 2, 3]);
    await clock.advance(1000);
    await Promise.all(takes);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('lets a waiting caller abort with Canceled, and the next one moves up', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, clock);
    await bucket.take();
    const controller = new AbortController();
    const first = bucket.take(1, controller.signal).catch((error: unknown) => error);
    let secondDone = false;
    const second = bucket.take().then(() => {
      secondDone = true;
    });
    controller.abort();
    expect(TrellisError.hasCode(await first, 'Canceled')).toBe(true);
    await clock.advance(1000);
    await second;
    expect(secondDone).toBe(true);
    expect(bucket.waiting).toBe(0);
  });

  it('tryTake never waits and never overtakes a waiting caller', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, clock);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    const waiting = bucket.take();
    await clock.advance(500);
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(500);
    await waiting;
    expect(bucket.available).toBeCloseTo(0);
  });

  it('refuses an empty bucket', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
  });
});

describe('RateLimiter', () => {
  const defaults = {
    read: { capacity: 100, refillPerSecond: 20 },
    write: { capacity: 2, refillPerSecond: 1 },
    run: { capacity: 10, refillPerSecond: 1 },
  };
  const classify = (action: string, resources: number) =>
    action.startsWith('get')
      ? [{ bucket: 'read' as const, tokens: 1 }]
      : action === 'run'
        ? [
            { bucket: 'write' as const, tokens: 1 },
            { bucket: 'run' as const, tokens: resources },
          ]
        : [{ bucket: 'write' as const, tokens: 1 }];

  it('takes defaults from the provider and lets the user override a class', () => {
    const limiter = new RateLimiter({
      defaults,
      classify,
      overrides: { write: { capacity: 50, refillPerSecond: 5 } },
    });
    expect(limiter.limits.write).toEqual({ capacity: 50, refillPerSecond: 5 });
    expect(limiter.limits.read).toEqual(defaults.read);
    expect(limiter.chargesFor('run', 4)).toEqual([
      { bucket: 'write', tokens: 1 },
      { bucket: 'run', tokens: 4 },
    ]);
  });

  it('charges every bucket of an action and waits on the emptiest', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ defaults, classify, clock });
    await limiter.acquire(limiter.chargesFor('run', 10));
    let done = false;
    const next = limiter.acquire(limiter.chargesFor('run', 3)).then(() => {
      done = true;
    });
    await clock.advance(2000);
    expect(done).toBe(false);
    await clock.advance(1000);
    await next;
    expect(done).toBe(true);
    expect(limiter.bucket('read')?.available).toBe(100);
  });
});
