import { type Clock, type RateLimitCharge, RateLimiter, type TokenBucketLimit } from '@trellis/provider-kit';

/** The classes of AWS calls, each with its own client-side token bucket. */
export type AwsRateLimitClass = 'describe' | 'mutating' | 'runInstances' | 'terminateInstances' | 'iam';

/** The client-side limits, by action class. */
export interface AwsRateLimits {
  /** Non-mutating EC2 actions (`Describe*`). @default { capacity: 100, refillPerSecond: 20 } */
  describe: TokenBucketLimit;
  /** Mutating EC2 actions (one token per request). @default { capacity: 200, refillPerSecond: 5 } */
  mutating: TokenBucketLimit;
  /** `RunInstances` resource tokens, one per instance. @default { capacity: 1000, refillPerSecond: 2 } */
  runInstances: TokenBucketLimit;
  /** `TerminateInstances` resource tokens, one per instance. @default { capacity: 1000, refillPerSecond: 20 } */
  terminateInstances: TokenBucketLimit;
  /** IAM actions. @default { capacity: 20, refillPerSecond: 10 } */
  iam: TokenBucketLimit;
}

/**
 * EC2's documented default request and resource token buckets ("Request throttling for the
 * Amazon EC2 API"): non-mutating 100 / 20 per second, mutating 200 / 5 per second,
 * RunInstances resource 1000 / 2 per second, TerminateInstances resource 1000 / 20 per second.
 * IAM documents no bucket; 20 / 10 per second keeps well below where it throttles.
 */
export const EC2_DEFAULT_RATE_LIMITS: Readonly<AwsRateLimits> = Object.freeze({
  describe: { capacity: 100, refillPerSecond: 20 },
  mutating: { capacity: 200, refillPerSecond: 5 },
  runInstances: { capacity: 1000, refillPerSecond: 2 },
  terminateInstances: { capacity: 1000, refillPerSecond: 20 },
  iam: { capacity: 20, refillPerSecond: 10 },
});

/**
 * The buckets an AWS action is charged to. Actions are EC2 action names (`RunInstances`), or
 * `iam:<Action>` / `s3:<Action>`; S3 calls take no tokens (S3 scales per prefix, and its client
 * retries `SlowDown` itself).
 */
export function awsActionCharges(action: string, resources = 1): RateLimitCharge<AwsRateLimitClass>[] {
  if (action.startsWith('s3:')) return [];
  if (action.startsWith('iam:')) return [{ bucket: 'iam', tokens: 1 }];
  if (/^(Describe|Get|List)/.test(action)) return [{ bucket: 'describe', tokens: 1 }];
  const charges: RateLimitCharge<AwsRateLimitClass>[] = [{ bucket: 'mutating', tokens: 1 }];
  if (action === 'RunInstances') charges.push({ bucket: 'runInstances', tokens: resources });
  if (action === 'TerminateInstances') charges.push({ bucket: 'terminateInstances', tokens: resources });
  return charges;
}

/** The client-side token buckets of one AWS account and region: EC2's defaults, the user's overrides. */
export function createAwsRateLimiter(
  overrides: Partial<AwsRateLimits> = {},
  clock?: Clock,
): RateLimiter<AwsRateLimitClass> {
  return new RateLimiter<AwsRateLimitClass>({
    defaults: EC2_DEFAULT_RATE_LIMITS,
    overrides,
    classify: awsActionCharges,
    ...(clock ? { clock } : {}),
  });
}
