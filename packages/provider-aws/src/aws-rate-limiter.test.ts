import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { AwsRateLimiter, EC2_DEFAULT_RATE_LIMITS, TokenBucket } from './aws-rate-limiter.js';

describe('TokenBucket', () => {
  it('serves the burst at once, then at the refill rate, in order', async () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1000 }, () => now);
    await bucket.take();
    await bucket.take();
    expect(bucket.available).toBe(0);
    const order: number[] = [];
    const third = bucket.take().then(() => order.push(3));
    const fourth = bucket.take().then(() => order.push(4));
    now = 1; // one token refilled
    await third;
    now = 2;
    await fourth;
    expect(order).toEqual([3, 4]);
  });

  it('rejects a waiting caller with Canceled when its signal aborts, and serves the next one', async () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, () => now);
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(1, controller.signal);
    controller.abort();
    const error = await waiting.catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Canceled')).toBe(true);
    now = 1000;
    await expect(bucket.take()).resolves.toBeUndefined();
  });
});

describe('AwsRateLimiter', () => {
  it("defaults to EC2's documented buckets and charges RunInstances per instance", () => {
    const limiter = new AwsRateLimiter();
    expect(limiter.limits.describe).toEqual({ capacity: 100, refillPerSecond: 20 });
    expect(limiter.limits.mutating).toEqual({ capacity: 200, refillPerSecond: 5 });
    expect(limiter.limits.runInstances).toEqual(EC2_DEFAULT_RATE_LIMITS.runInstances);
    expect(limiter.chargesFor('ec2', 'DescribeInstances')).toEqual([{ bucket: 'describe', tokens: 1 }]);
    expect(limiter.chargesFor('ec2', 'RunInstances', 3)).toEqual([
      { bucket: 'mutating', tokens: 1 },
      { bucket: 'runInstances', tokens: 3 },
    ]);
    expect(limiter.chargesFor('ec2', 'TerminateInstances', 2)).toContainEqual({
      bucket: 'terminateInstances',
      tokens: 2,
    });
    expect(limiter.chargesFor('iam', 'GetRole')).toEqual([{ bucket: 'iam', tokens: 1 }]);
  });

  it('takes overrides', () => {
    const limiter = new AwsRateLimiter({ describe: { capacity: 5, refillPerSecond: 1 } });
    expect(limiter.limits.describe).toEqual({ capacity: 5, refillPerSecond: 1 });
    expect(limiter.limits.mutating).toEqual(EC2_DEFAULT_RATE_LIMITS.mutating);
  });
});
