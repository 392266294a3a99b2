import { canceled } from '@trellis/core';

/** One token bucket: `capacity` tokens, refilled at `refillPerSecond`. */
export interface TokenBucketLimit {
  /** Most tokens the bucket holds (the burst). */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
}

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
 * A token bucket that queues callers first come, first served. `take` resolves once the tokens
 * are available; waiting callers are served in order, so none starves.
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  #tokens: number;
  #updatedAt: number;
  #queue: Array<{ count: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(limit: TokenBucketLimit, now: () => number = () => performance.now()) {
    if (!(limit.capacity > 0) || !(limit.refillPerSecond > 0)) {
      throw new RangeError('a token bucket needs a positive capacity and refill rate');
    }
    this.capacity = limit.capacity;
    this.refillPerSecond = limit.refillPerSecond;
    this.#now = now;
    this.#tokens = limit.capacity;
    this.#updatedAt = now();
  }

  /** Tokens available now. */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(
      this.capacity,
      this.#tokens + ((now - this.#updatedAt) / 1000) * this.refillPerSecond,
    );
    this.#updatedAt = now;
  }

  /** Waits until `count` tokens (at most the capacity) are available and takes them. */
  take(count = 1, signal?: AbortSignal): Promise<void> {
    const wanted = Math.min(Math.max(count, 0), this.capacity);
    if (signal?.aborted) return Promise.reject(canceled(signal.reason));
    this.#refill();
    if (this.#queue.length === 0 && this.#tokens >= wanted) {
      this.#tokens -= wanted;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        count: wanted,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const index = this.#queue.indexOf(entry);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(canceled(signal?.reason));
        this.#schedule();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(entry);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#drain();
    const head = this.#queue[0];
    if (!head) return;
    const waitMs = Math.max(1, ((head.count - this.#tokens) / this.refillPerSecond) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#schedule();
    }, waitMs);
    this.#timer.unref?.();
  }

  #drain(): void {
    this.#refill();
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (this.#tokens < head.count) return;
      this.#tokens -= head.count;
      this.#queue.shift();
      head.resolve();
    }
  }
}

/** Which buckets one AWS call takes tokens from. */
export interface RateLimitCharge {
  bucket: keyof AwsRateLimits;
  tokens: number;
}

/** Client-side token buckets per action class, for one account and region. */
export class AwsRateLimiter {
  readonly limits: Readonly<AwsRateLimits>;
  readonly #buckets: Map<keyof AwsRateLimits, TokenBucket>;

  constructor(overrides: Partial<AwsRateLimits> = {}) {
    this.limits = { ...EC2_DEFAULT_RATE_LIMITS, ...overrides };
    this.#buckets = new Map(
      (Object.keys(this.limits) as Array<keyof AwsRateLimits>).map((key) => [
        key,
        new TokenBucket(this.limits[key]),
      ]),
    );
  }

  /** The buckets an action is charged to: its request bucket, plus a resource bucket for some. */
  chargesFor(service: 'ec2' | 'iam', action: string, resources = 1): RateLimitCharge[] {
    if (service === 'iam') return [{ bucket: 'iam', tokens: 1 }];
    if (/^(Describe|Get|List)/.test(action)) return [{ bucket: 'describe', tokens: 1 }];
    const charges: RateLimitCharge[] = [{ bucket: 'mutating', tokens: 1 }];
    if (action === 'RunInstances') charges.push({ bucket: 'runInstances', tokens: resources });
    if (action === 'TerminateInstances') charges.push({ bucket: 'terminateInstances', tokens: resources });
    return charges;
  }

  /** Waits for the tokens of one call. */
  async acquire(charges: readonly RateLimitCharge[], signal?: AbortSignal): Promise<void> {
    for (const charge of charges) await this.#buckets.get(charge.bucket)?.take(charge.tokens, signal);
  }
}
