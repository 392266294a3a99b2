import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { CloudApi } from './cloud-api.js';
import { RateLimiter } from './rate-limiter.js';
import { retryAfterMs } from './retry.js';

/** A cloud error as an SDK throws it. */
class SdkError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const toError = (error: unknown, context: { operation: string; provider: string }) =>
  TrellisError.isInstance(error)
    ? error
    : new TrellisError({
        code:
          (error as SdkError).status === 429
            ? 'Throttled'
            : (error as SdkError).status >= 500
              ? 'Unavailable'
              : 'InvalidArgument',
        message: `${context.operation} failed: ${(error as Error).message}`,
        ...context,
        cause: error,
      });

function api(clock: ManualClock, options: { retryBudget?: number } = {}) {
  const limiter = new RateLimiter({
    defaults: { read: { capacity: 1, refillPerSecond: 1 } },
    classify: () => [{ bucket: 'read', tokens: 1 }],
    clock,
  });
  return new CloudApi({
    provider: 'test',
    limiter,
    toError,
    clock,
    random: () => 0.5,
    decide: (error) => {
      const afterMs = retryAfterMs((error.cause as SdkError | undefined)?.headers);
      if (error.code === 'Throttled')
        return { retry: true, throttled: true, ...(afterMs === undefined ? {} : { afterMs }) };
      return { retry: error.code === 'Unavailable' };
    },
    ...options,
  });
}

describe('CloudApi', () => {
  it('empties its bucket when the cloud throttles: the next calls wait for the refill', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({
      defaults: { read: { capacity: 10, refillPerSecond: 1 } },
      classify: () => [{ bucket: 'read', tokens: 1 }],
      clock,
    });
    const cloud = new CloudApi({ provider: 'test', limiter, toError, clock, maxAttempts: 1 });
    await cloud.call('get', async () => 'ok', { operation: 'read' });
    expect(limiter.bucket('read')?.available).toBe(9);
    const throttled = await cloud
      .call(
        'get',
        async () => {
          throw new SdkError(429);
        },
        { operation: 'read' },
      )
      .catch((error: unknown) => error);
    expect(TrellisError.hasCode(throttled, 'Throttled')).toBe(true);
    expect(limiter.bucket('read')?.available).toBe(0);
    let sent = false;
    const next = cloud.call(
      'get',
      async () => {
        sent = true;
      },
      { operation: 'read' },
    );
    await clock.advance(999);
    expect(sent).toBe(false);
    await clock.advance(1);
    await next;
    expect(sent).toBe(true);
  });

  it('takes tokens per attempt, maps errors and honours Retry-After', async () => {
    const clock = new ManualClock();
    const cloud = api(clock);
    const sentAt: number[] = [];
    const call = cloud.call(
      'get',
      async () => {
        sentAt.push(clock.now());
        if (sentAt.length === 1) throw new SdkError(429, { 'Retry-After': '3' });
        return 'vm';
      },
      { operation: 'getMachine' },
    );
    await clock.runAll();
    await expect(call).resolves.toBe('vm');
    expect(sentAt).toEqual([0, 3000]);
  });

  it("hands the caller the core error with the cloud's last error once the budget is spent", async () => {
    const clock = new ManualClock();
    const cloud = api(clock, { retryBudget: 10 });
    const last = new SdkError(503);
    const call = cloud
      .call(
        'get',
        async () => {
          throw last;
        },
        { operation: 'listMachines' },
      )
      .catch((error: unknown) => error);
    await clock.runAll();
    const error = (await call) as TrellisError;
    expect(error.code).toBe('Unavailable');
    expect(error.cause).toBe(last);
    expect(error.operation).toBe('listMachines');
    expect(cloud.retryBudget).toBe(0);
  });

  it("retries only throttling in 'throttled' mode, and nothing with retry: false", async () => {
    const clock = new ManualClock();
    const cloud = api(clock);
    let sends = 0;
    const flaky = async () => {
      sends += 1;
      throw new SdkError(sends === 1 ? 429 : 503);
    };
    const throttledOnly = cloud
      .call('insert', flaky, { operation: 'createMachine', retry: 'throttled' })
      .catch((error: unknown) => error);
    await clock.runAll();
    expect(TrellisError.hasCode(await throttledOnly, 'Unavailable')).toBe(true);
    expect(sends).toBe(2);
    sends = 0;
    const once = cloud
      .call('insert', flaky, { operation: 'createMachine', retry: false })
      .catch((error: unknown) => error);
    await clock.runAll();
    expect(TrellisError.hasCode(await once, 'Throttled')).toBe(true);
    expect(sends).toBe(1);
  });
});
