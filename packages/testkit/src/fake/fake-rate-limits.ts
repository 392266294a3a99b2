import { type Clock, systemClock, TokenBucket, type TokenBucketLimit } from '@trellis/provider-kit';
import type { FakeRequest } from './fake-types.js';

/** The cloud's rate limits as a fake enforces them. */
export interface FakeRateLimits<Class extends string = string> {
  /** One token bucket per class of action. */
  readonly buckets: Readonly<Record<Class, TokenBucketLimit>>;
  /** The buckets (and tokens) one call takes; an empty list takes nothing. */
  readonly classify: (
    action: string,
    request: FakeRequest,
  ) => ReadonlyArray<{ bucket: Class; tokens: number }>;
  /** Time of the buckets: a manual clock lets a test scale a per-minute limit down. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Enforces a cloud's rate limits as the cloud does: a call that finds a bucket it needs short of
 * tokens is answered "throttled" at once and takes nothing from any bucket.
 */
export class FakeRateLimiter<Class extends string = string> {
  readonly #buckets: Map<Class, TokenBucket>;
  readonly #classify: FakeRateLimits<Class>['classify'];

  constructor(limits: FakeRateLimits<Class>) {
    const clock = limits.clock ?? systemClock;
    this.#buckets = new Map(
      (Object.keys(limits.buckets) as Class[]).map((name) => [
        name,
        new TokenBucket(limits.buckets[name], clock),
      ]),
    );
    this.#classify = limits.classify;
  }

  /** Tokens left in a bucket. */
  available(bucket: Class): number | undefined {
    return this.#buckets.get(bucket)?.available;
  }

  /** Takes the call's tokens and returns true, or takes nothing and returns false. */
  admit(action: string, request: FakeRequest): boolean {
    // A call needing more than a bucket can ever hold is throttled every time, as the cloud does.
    const needs = this.#classify(action, request).flatMap(({ bucket, tokens }) => {
      const found = this.#buckets.get(bucket);
      return found ? [{ bucket: found, tokens }] : [];
    });
    if (needs.some(({ bucket, tokens }) => bucket.available < tokens)) return false;
    for (const { bucket, tokens } of needs) bucket.tryTake(tokens);
    return true;
  }
}
