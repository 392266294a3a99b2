import type { Logger } from '@trellis/core';
import {
  type Clock,
  CloudApi,
  defaultRetryDecision,
  RateLimiter,
  retryAfterMs,
  type TokenBucketLimit,
} from '@trellis/provider-kit';
import { toTrellisError } from './azure-errors.js';

/** ARM's operation types, each with its own token bucket. */
export type AzureRateLimitClass = 'read' | 'write' | 'delete';
/** The client-side limits, by class. */
export type AzureRateLimits = Record<AzureRateLimitClass, TokenBucketLimit>;

/**
 * ARM's per-subscription token buckets as documented since 2024: reads 250 burst refilled 25 per
 * second, writes 200 / 10, deletes 200 / 10.
 */
export const ARM_RATE_LIMITS: AzureRateLimits = {
  read: { capacity: 250, refillPerSecond: 25 },
  write: { capacity: 200, refillPerSecond: 10 },
  delete: { capacity: 200, refillPerSecond: 10 },
};

/**
 * The client's defaults: ARM's buckets refilled at 90% of ARM's rate. A busy process sends what its
 * buckets let through with some jitter, and a request that arrives early at an empty ARM bucket is
 * a 429; the margin keeps ARM's bucket from running dry.
 */
export const ARM_DEFAULT_RATE_LIMITS: AzureRateLimits = {
  read: { capacity: 250, refillPerSecond: 22.5 },
  write: { capacity: 200, refillPerSecond: 9 },
  delete: { capacity: 200, refillPerSecond: 9 },
};

/**
 * The bucket of an action (`virtualMachines.createOrUpdate` → write, `disks.delete` → delete) and
 * its tokens: one per request the call sends (`resources`).
 */
export function azureActionCharges(action: string, resources = 1) {
  const method = action.split('.').at(-1) ?? '';
  const bucket: AzureRateLimitClass = /^(delete|beginDelete)$/.test(method)
    ? 'delete'
    : /^(get|list|listAll|listByResourceGroup|checkExistence|poll)$/.test(method)
      ? 'read'
      : 'write';
  return [{ bucket, tokens: resources }];
}

export type AzureApi = CloudApi<AzureRateLimitClass>;

/** The `Retry-After` of a throttled ARM answer, read from the SDK error's response. */
function armRetryAfter(error: unknown): number | undefined {
  const cause = (
    error as {
      cause?: {
        response?: {
          headers?: { get?(name: string): string | undefined; toJSON?(): Record<string, string> };
        };
      };
    }
  )?.cause;
  const headers = cause?.response?.headers;
  if (!headers) return undefined;
  return retryAfterMs(
    typeof headers.toJSON === 'function' ? headers.toJSON() : (headers as Record<string, string>),
  );
}

/** The rate-limited, retrying ARM API of one provider instance; a `Retry-After` is honoured. */
export function createAzureApi(
  options: {
    rateLimits?: Partial<AzureRateLimits> | undefined;
    maxAttempts?: number;
    logger?: Logger;
    clock?: Clock;
    baseDelayMs?: number;
    maxDelayMs?: number;
  } = {},
): AzureApi {
  return new CloudApi<AzureRateLimitClass>({
    provider: 'azure',
    limiter: new RateLimiter<AzureRateLimitClass>({
      defaults: ARM_DEFAULT_RATE_LIMITS,
      overrides: options.rateLimits,
      classify: azureActionCharges,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    toError: toTrellisError,
    decide: (error) => {
      const decision = defaultRetryDecision(error);
      const afterMs = decision.retry ? armRetryAfter(error) : undefined;
      return afterMs === undefined ? decision : { ...decision, afterMs };
    },
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.baseDelayMs
      ? { baseDelayMs: options.baseDelayMs, throttledBaseDelayMs: options.baseDelayMs }
      : {}),
    ...(options.maxDelayMs ? { maxDelayMs: options.maxDelayMs } : {}),
  });
}
