import type { Clock } from '@trellis/provider-kit';
import type { FakeRateLimits, FakeRequest } from '@trellis/testkit/fake';
import { QueryParams } from './ec2-query.js';

/** One token bucket: `capacity` tokens, refilled at `refillPerSecond`. */
export interface FakeTokenBucketLimit {
  capacity: number;
  refillPerSecond: number;
}

/** EC2's request (and RunInstances/TerminateInstances resource) token buckets, as the fake enforces them. */
export interface FakeRequestLimits {
  /** Describe*, Get*, List*. @default { capacity: 100, refillPerSecond: 20 } */
  nonMutating?: FakeTokenBucketLimit;
  /** Every other action. @default { capacity: 200, refillPerSecond: 5 } */
  mutating?: FakeTokenBucketLimit;
  /** Instances launched by RunInstances (MaxCount tokens per call). @default { capacity: 1000, refillPerSecond: 2 } */
  runInstances?: FakeTokenBucketLimit;
  /** Instances terminated by TerminateInstances (one token per id). @default { capacity: 1000, refillPerSecond: 20 } */
  terminateInstances?: FakeTokenBucketLimit;
}

/** EC2's documented defaults (request and resource token buckets). */
export const EC2_FAKE_DEFAULT_REQUEST_LIMITS: Required<FakeRequestLimits> = {
  nonMutating: { capacity: 100, refillPerSecond: 20 },
  mutating: { capacity: 200, refillPerSecond: 5 },
  runInstances: { capacity: 1000, refillPerSecond: 2 },
  terminateInstances: { capacity: 1000, refillPerSecond: 20 },
};

const IAM_VERSION = '2010-05-08';

/**
 * EC2's token buckets for the fake kit's rate limiter: a call that finds a bucket it needs short of
 * tokens is answered `RequestLimitExceeded` (HTTP 503) at once and takes nothing. IAM calls take none.
 */
export function ec2RateLimits(
  limits: FakeRequestLimits,
  clock?: Clock,
): FakeRateLimits<keyof FakeRequestLimits> {
  return {
    buckets: { ...EC2_FAKE_DEFAULT_REQUEST_LIMITS, ...limits },
    ...(clock ? { clock } : {}),
    classify: (action: string, request: FakeRequest) => {
      const params = QueryParams.parse(request.body.toString('utf8'), request.url.searchParams);
      if (params.string('Version') === IAM_VERSION) return [];
      const needs: Array<{ bucket: keyof FakeRequestLimits; tokens: number }> = [
        { bucket: /^(Describe|Get|List)/.test(action) ? 'nonMutating' : 'mutating', tokens: 1 },
      ];
      if (action === 'RunInstances') {
        needs.push({ bucket: 'runInstances', tokens: Math.max(1, params.int('MaxCount') ?? 1) });
      }
      if (action === 'TerminateInstances') {
        needs.push({
          bucket: 'terminateInstances',
          tokens: Math.max(1, params.strings('InstanceId').length),
        });
      }
      return needs;
    },
  };
}
