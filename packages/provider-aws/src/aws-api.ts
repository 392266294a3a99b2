import type { Logger } from '@trellis/core';
import { type Clock, CloudApi, type RateLimiter } from '@trellis/provider-kit';
import { toTrellisError } from './aws-errors.js';
import { type AwsRateLimitClass, type AwsRateLimits, createAwsRateLimiter } from './aws-rate-limits.js';

/**
 * Every AWS call of the provider goes through one `AwsApi`: the kit's {@link CloudApi} with EC2's
 * token buckets and AWS's error mapping. Actions are EC2 action names, or `iam:<Action>`.
 */
export type AwsApi = CloudApi<AwsRateLimitClass>;

/** Options of {@link createAwsApi}. */
export interface AwsApiOptions {
  /** @default EC2's documented buckets, with `rateLimits` applied */
  limiter?: RateLimiter<AwsRateLimitClass>;
  /** Overrides of EC2's documented buckets, when no `limiter` is given. */
  rateLimits?: Partial<AwsRateLimits>;
  /** Attempts per call, the first included. @default 8 */
  maxAttempts?: number;
  /** Base of the exponential backoff. @default 100 */
  baseDelayMs?: number;
  /** Base of the backoff after throttling. @default 500 */
  throttledBaseDelayMs?: number;
  /** Longest backoff. @default 20_000 */
  maxDelayMs?: number;
  /** Retry budget shared by every call (as the AWS SDK's retry quota). @default 500 */
  retryBudget?: number;
  logger?: Logger;
  clock?: Clock;
  /** Random source for the jitter (tests). @default Math.random */
  random?: () => number;
}

/** The rate-limited, retrying AWS API of one provider instance. */
export function createAwsApi(options: AwsApiOptions = {}): AwsApi {
  const { limiter, rateLimits, ...rest } = options;
  return new CloudApi<AwsRateLimitClass>({
    provider: 'aws',
    limiter: limiter ?? createAwsRateLimiter(rateLimits, options.clock),
    toError: toTrellisError,
    ...rest,
  });
}
