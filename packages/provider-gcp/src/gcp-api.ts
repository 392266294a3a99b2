import type { Logger } from '@trellis/core';
import { type Clock, CloudApi, RateLimiter, type TokenBucketLimit } from '@trellis/provider-kit';
import { toTrellisError } from './gcp-errors.js';

/** The classes of Compute Engine calls, each with its own client-side token bucket. */
export type GcpRateLimitClass = 'read' | 'list' | 'mutate';

/** The client-side limits, by class. */
export type GcpRateLimits = Record<GcpRateLimitClass, TokenBucketLimit>;

/**
 * Defaults below Compute Engine's per-project API rate quotas ("API rate limits" in the Compute
 * Engine docs group requests as reads, lists and operations, each limited per minute; the values
 * differ by project and are shown in the console's Quotas page): reads 1,200/min, lists 600/min,
 * mutations 600/min, with bursts of a few seconds' worth. Override them with the project's own.
 */
export const GCE_DEFAULT_RATE_LIMITS: Readonly<GcpRateLimits> = Object.freeze({
  read: { capacity: 100, refillPerSecond: 20 },
  list: { capacity: 50, refillPerSecond: 10 },
  mutate: { capacity: 50, refillPerSecond: 10 },
});

/** The bucket of a compute action (`instances.insert`, `zoneOperations.wait`, ...). */
export function gcpActionCharges(action: string) {
  const method = action.split('.').at(-1) ?? '';
  const bucket: GcpRateLimitClass = /^(list|aggregatedList)$/.test(method)
    ? 'list'
    : /^(get|wait)$/.test(method)
      ? 'read'
      : 'mutate';
  return [{ bucket, tokens: 1 }];
}

/** Every Compute Engine call of the provider goes through one `GcpApi` (the kit's `CloudApi`). */
export type GcpApi = CloudApi<GcpRateLimitClass>;

/** The rate-limited, retrying GCP API of one provider instance. */
export function createGcpApi(
  options: {
    rateLimits?: Partial<GcpRateLimits> | undefined;
    maxAttempts?: number;
    logger?: Logger;
    clock?: Clock;
    baseDelayMs?: number;
  } = {},
): GcpApi {
  return new CloudApi<GcpRateLimitClass>({
    provider: 'gcp',
    limiter: new RateLimiter<GcpRateLimitClass>({
      defaults: GCE_DEFAULT_RATE_LIMITS,
      overrides: options.rateLimits,
      classify: gcpActionCharges,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    toError: toTrellisError,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.baseDelayMs
      ? { baseDelayMs: options.baseDelayMs, throttledBaseDelayMs: options.baseDelayMs }
      : {}),
  });
}
