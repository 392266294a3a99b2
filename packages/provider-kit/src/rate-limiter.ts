import { type Clock, systemClock } from './clock.js';
import { TokenBucket, type TokenBucketLimit } from './token-bucket.js';

/** Tokens one call takes from one bucket. */
export interface RateLimitCharge<Class extends string = string> {
  readonly bucket: Class;
  readonly tokens: number;
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions<Class extends string> {
  /** The provider's defaults: one bucket per action class (usually the cloud's documented limits). */
  readonly defaults: Readonly<Record<Class, TokenBucketLimit>>;
  /** The user's overrides, per class; a class left out keeps its default. */
  readonly overrides?: Partial<Readonly<Record<Class, TokenBucketLimit>>> | undefined;
  /**
   * The buckets one action is charged to (the provider's classification). A call may take from
   * several buckets, e.g. EC2's `RunInstances` takes a request token and one resource token per
   * instance.
   */
  readonly classify: (action: string, resources: number) => readonly RateLimitCharge<Class>[];
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Client-side token buckets per action class for one account and region, so a provider stays
 * under the cloud's limits instead of learning them from throttling errors.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({
 *   defaults: { read: { capacity: 100, refillPerSecond: 20 }, write: { capacity: 20, refillPerSecond: 2 } },
 *   overrides: settings.rateLimits,
 *   classify: (action) => [{ bucket: action.startsWith('get') ? 'read' : 'write', tokens: 1 }],
 * });
 * await limiter.acquire(limiter.chargesFor('instances.insert'), signal);
 * ```
 */
export class RateLimiter<Class extends string = string> {
  /** The limits in force (defaults with the overrides applied). */
  readonly limits: Readonly<Record<Class, TokenBucketLimit>>;
  readonly #buckets: Map<Class, TokenBucket>;
  readonly #classify: RateLimiterOptions<Class>['classify'];

  constructor(options: RateLimiterOptions<Class>) {
    const limits = { ...options.defaults } as Record<Class, TokenBucketLimit>;
    for (const [key, limit] of Object.entries(options.overrides ?? {}) as Array<[Class, TokenBucketLimit]>) {
      if (limit) limits[key] = limit;
    }
    this.limits = Object.freeze(limits);
    this.#classify = options.classify;
    const clock = options.clock ?? systemClock;
    this.#buckets = new Map(
      (Object.keys(limits) as Class[]).map((key) => [key, new TokenBucket(limits[key], clock)]),
    );
  }

  /** The buckets an action is charged to. */
  chargesFor(action: string, resources = 1): readonly RateLimitCharge<Class>[] {
    return this.#classify(action, resources);
  }

  /** The bucket of one class (for inspection). */
  bucket(name: Class): TokenBucket | undefined {
    return this.#buckets.get(name);
  }

  /** Empties the buckets of a call the cloud throttled (see {@link TokenBucket.drain}). */
  drain(charges: readonly RateLimitCharge<Class>[]): void {
    for (const charge of charges) this.#buckets.get(charge.bucket)?.drain();
  }

  /** Waits for the tokens of one call, bucket after bucket; cancellable by `signal`. */
  async acquire(charges: readonly RateLimitCharge<Class>[], signal?: AbortSignal): Promise<void> {
    for (const charge of charges) await this.#buckets.get(charge.bucket)?.take(charge.tokens, signal);
  }
}
