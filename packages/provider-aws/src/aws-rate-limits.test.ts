import { describe, expect, it } from 'vitest';
import { createAwsRateLimiter, EC2_DEFAULT_RATE_LIMITS } from './aws-rate-limits.js';

describe('AWS rate limits', () => {
  it("defaults to EC2's documented buckets and charges RunInstances per instance", () => {
    const limiter = createAwsRateLimiter();
    expect(limiter.limits.describe).toEqual({ capacity: 100, refillPerSecond: 20 });
    expect(limiter.limits.mutating).toEqual({ capacity: 200, refillPerSecond: 5 });
    expect(limiter.limits.runInstances).toEqual(EC2_DEFAULT_RATE_LIMITS.runInstances);
    expect(limiter.chargesFor('DescribeInstances')).toEqual([{ bucket: 'describe', tokens: 1 }]);
    expect(limiter.chargesFor('RunInstances', 3)).toEqual([
      { bucket: 'mutating', tokens: 1 },
      { bucket: 'runInstances', tokens: 3 },
    ]);
    expect(limiter.chargesFor('TerminateInstances', 2)).toContainEqual({
      bucket: 'terminateInstances',
      tokens: 2,
    });
    expect(limiter.chargesFor('iam:GetRole')).toEqual([{ bucket: 'iam', tokens: 1 }]);
    expect(limiter.chargesFor('s3:PutObject')).toEqual([]);
  });

  it('takes overrides', () => {
    const limiter = createAwsRateLimiter({ describe: { capacity: 5, refillPerSecond: 1 } });
    expect(limiter.limits.describe).toEqual({ capacity: 5, refillPerSecond: 1 });
    expect(limiter.limits.mutating).toEqual(EC2_DEFAULT_RATE_LIMITS.mutating);
  });
});
