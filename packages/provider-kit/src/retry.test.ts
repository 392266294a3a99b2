import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { backoffDelay, RetryBudget, retry, retryAfterMs } from './retry.js';

const throttled = () =>
  new TrellisError({ code: 'Throttled', message: 'slow down', cause: { Code: 'RequestLimitExceeded' } });
const unavailable = () => new TrellisError({ code: 'Unavailable', message: '503' });

function failing(times: number, error: () => unknown) {
  let calls = 0;
  return {
    action: async () => {
      calls += 1;
      if (calls <= times) throw error();
      return 'ok';
    },
    calls: () => calls,
  };
}

/** Runs a retry on the manual clock to the end. */
async function settle<T>(clock: ManualClock, promise: Promise<T>): Promise<T | unknown> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  let result: { value?: T; error?: unknown } | undefined;
  void outcome.then((value) => {
    result = value;
  });
  while (!result) await clock.runAll();
  return 'error' in result ? result.error : result.value;
}

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with full or equal jitter', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, { ...options, jitter: 'equal' }, () => 0)).toBe(200);
  });
});

describe('retry', () => {
  it('retries throttling until it succeeds, without real sleeps', async () => {
    const clock = new ManualClock();
    const stub = failing(3, throttled);
    const result = await settle(
      clock,
      retry(stub.action, { attempts: 8, baseDelayMs: 1000, maxDelayMs: 20_000, clock }),
    );
    expect(result).toBe('ok');
    expect(stub.calls()).toBe(4);
  });

  it('gives the caller the core error, with the cloud error as cause, once the attempts are spent', async () => {
    const clock = new ManualClock();
    const stub = failing(100, throttled);
    const error = await settle(
      clock,
      retry(stub.action, { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, clock }),
    );
    expect(TrellisError.hasCode(error, 'Throttled')).toBe(true);
    expect((error as TrellisError).cause).toEqual({ Code: 'RequestLimitExceeded' });
    expect(stub.calls()).toBe(3);
  });

  it('does not retry what the decision rejects', async () => {
    const stub = failing(1, () => new TrellisError({ code: 'InvalidArgument', message: 'bad' }));
    await expect(retry(stub.action, { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 })).rejects.toThrow('bad');
    expect(stub.calls()).toBe(1);
  });

  it('shares one budget between calls and refunds on success', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget(20);
    const first = failing(100, throttled);
    await settle(clock, retry(first.action, { attempts: 10, baseDelayMs: 1, maxDelayMs: 1, budget, clock }));
    expect(first.calls()).toBe(3); // two retries at 10 each
    expect(budget.remaining).toBe(0);
    const second = failing(1, unavailable);
    const error = await settle(
      clock,
      retry(second.action, { attempts: 10, baseDelayMs: 1, maxDelayMs: 1, budget, clock }),
    );
    expect(TrellisError.hasCode(error, 'Unavailable')).toBe(true);
    expect(second.calls()).toBe(1);
    await retry(async () => 'ok', { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, budget });
    expect(budget.remaining).toBe(1);
  });

  it('waits as long as the cloud asked', async () => {
    const clock = new ManualClock();
    const stub = failing(1, throttled);
    const running = retry(stub.action, {
      attempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 1,
      clock,
      decide: () => ({ retry: true, afterMs: 7000 }),
    });
    await clock.advance(6999);
    expect(stub.calls()).toBe(1);
    await clock.advance(1);
    await expect(running).resolves.toBe('ok');
    expect(stub.calls()).toBe(2);
  });

  it('stops at the signal, during a backoff, with Canceled', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const stub = failing(100, throttled);
    const running = retry(stub.action, {
      attempts: 8,
      baseDelayMs: 10_000,
      maxDelayMs: 10_000,
      signal: controller.signal,
      clock,
      random: () => 0.5,
    }).catch((error: unknown) => error);
    await clock.advance(0);
    controller.abort();
    const error = await running;
    expect(TrellisError.hasCode(error, 'Canceled')).toBe(true);
    expect(stub.calls()).toBe(1);
  });

  it('does not start a backoff that would end after the deadline', async () => {
    const stub = failing(100, throttled);
    const error = await retry(stub.action, {
      attempts: 8,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 0.5,
      deadline: new Date(Date.now() + 1000),
    }).catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Throttled')).toBe(true);
    expect(stub.calls()).toBe(1);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, HTTP dates and millisecond headers', () => {
    expect(retryAfterMs({ 'Retry-After': '3' })).toBe(3000);
    expect(retryAfterMs({ 'x-ms-retry-after-ms': '250' })).toBe(250);
    expect(retryAfterMs(new Headers({ 'x-acs-retry-after': '1200' }))).toBe(1200);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });
});
