import { ec2Error } from './ec2-errors.js';
import type { QueryParams } from './ec2-query.js';

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

class Bucket {
  #tokens: number;
  #at = Date.now();

  constructor(readonly limit: FakeTokenBucketLimit) {
    this.#tokens = limit.capacity;
  }

  available(now: number): number {
    this.#tokens = Math.min(
      this.limit.capacity,
      this.#tokens + ((now - this.#at) / 1000) * this.limit.refillPerSecond,
    );
    this.#at = now;
    return this.#tokens;
  }

  take(tokens: number): void {
    this.#tokens -= tokens;
  }
}

/**
 * Enforces EC2's token buckets like EC2 does: a call that finds a bucket it needs short of tokens
 * is answered `RequestLimitExceeded` (HTTP 503) at once and takes nothing.
 */
export class RequestLimiter {
  readonly #buckets: Record<keyof FakeRequestLimits, Bucket>;

  constructor(limits: FakeRequestLimits) {
    const merged = { ...EC2_FAKE_DEFAULT_REQUEST_LIMITS, ...limits };
    this.#buckets = {
      nonMutating: new Bucket(merged.nonMutating),
      mutating: new Bucket(merged.mutating),
      runInstances: new Bucket(merged.runInstances),
      terminateInstances: new Bucket(merged.terminateInstances),
    };
  }

  /** Takes the call's tokens or throws RequestLimitExceeded. */
  admit(action: string, params: QueryParams): void {
    const needs: Array<[Bucket, number]> = [
      [/^(Describe|Get|List)/.test(action) ? this.#buckets.nonMutating : this.#buckets.mutating, 1],
    ];
    if (action === 'RunInstances')
      needs.push([this.#buckets.runInstances, Math.max(1, params.int('MaxCount') ?? 1)]);
    if (action === 'TerminateInstances') {
      needs.push([this.#buckets.terminateInstances, Math.max(1, params.strings('InstanceId').length)]);
    }
    const now = Date.now();
    if (needs.some(([bucket, tokens]) => bucket.available(now) < tokens)) {
      throw ec2Error('RequestLimitExceeded', 'Request limit exceeded.');
    }
    for (const [bucket, tokens] of needs) bucket.take(tokens);
  }
}
