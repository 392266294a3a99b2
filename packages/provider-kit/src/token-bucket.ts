import { canceled } from '@trellis/core';
import { type Clock, systemClock } from './clock.js';

/** One token bucket: `capacity` tokens, refilled at `refillPerSecond`. */
export interface TokenBucketLimit {
  /** Most tokens the bucket holds (the burst). */
  readonly capacity: number;
  /** Tokens added back per second. */
  readonly refillPerSecond: number;
}

interface Waiter {
  count: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A token bucket that queues callers first come, first served: `take` resolves once its tokens
 * are there, and a waiting caller is never overtaken, so none starves. Fakes use
 * {@link TokenBucket.tryTake} instead, which never waits (a cloud answers "throttled" at once).
 *
 * @example
 * ```ts
 * const mutating = new TokenBucket({ capacity: 200, refillPerSecond: 5 });
 * await mutating.take(1, signal); // rejects with `Canceled` when `signal` aborts
 * ```
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;
  #queue: Waiter[] = [];
  #pumping = false;
  #wake: AbortController | undefined;

  constructor(limit: TokenBucketLimit, clock: Clock = systemClock) {
    if (!(limit.capacity > 0) || !(limit.refillPerSecond > 0)) {
      throw new RangeError('a token bucket needs a positive capacity and refill rate');
    }
    this.capacity = limit.capacity;
    this.refillPerSecond = limit.refillPerSecond;
    this.#clock = clock;
    this.#tokens = limit.capacity;
    this.#updatedAt = clock.now();
  }

  /** Tokens available now. */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Callers waiting for tokens. */
  get waiting(): number {
    return this.#queue.length;
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(
      this.capacity,
      this.#tokens + ((now - this.#updatedAt) / 1000) * this.refillPerSecond,
    );
    this.#updatedAt = now;
  }

  /**
   * Empties the bucket: the cloud said "throttled", so its own bucket is emptier than this one
   * (other clients share it, or calls cost more than they were charged). Refill goes on from now.
   */
  drain(): void {
    this.#refill();
    this.#tokens = Math.min(this.#tokens, 0);
  }

  /** Takes `count` tokens if they are there now and nobody waits; never waits. */
  tryTake(count = 1): boolean {
    const wanted = Math.min(Math.max(count, 0), this.capacity);
    this.#refill();
    if (this.#queue.length > 0 || this.#tokens < wanted) return false;
    this.#tokens -= wanted;
    return true;
  }

  /** Waits until `count` tokens (at most the capacity) are available and takes them. */
  take(count = 1, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(canceled(signal.reason));
    if (this.tryTake(count)) return Promise.resolve();
    const wanted = Math.min(Math.max(count, 0), this.capacity);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(canceled(signal?.reason));
        // The head may have left: the next one may be served sooner.
        this.#wake?.abort();
      };
      const waiter: Waiter = {
        count: wanted,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        this.#refill();
        const head = this.#queue[0]!;
        if (this.#tokens >= head.count) {
          this.#tokens -= head.count;
          this.#queue.shift();
          head.resolve();
          continue;
        }
        const waitMs = Math.max(1, ((head.count - this.#tokens) / this.refillPerSecond) * 1000);
        this.#wake = new AbortController();
        await this.#clock.sleep(waitMs, this.#wake.signal).catch(() => {});
        this.#wake = undefined;
      }
    } finally {
      this.#pumping = false;
    }
  }
}
