import { canceled } from '@trellis/core';

/**
 * Time as the kit sees it. Every wait in the kit goes through a clock, so tests inject a
 * {@link ManualClock} and never sleep for real.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, clock);
 * await bucket.take();
 * const second = bucket.take(); // waits for a refill
 * await clock.advance(1000);    // resolves it, no real sleep
 * ```
 */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Resolves after `ms`; rejects with core's `Canceled` / `DeadlineExceeded` when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Rejects with the core error for an aborted signal. */
function abortError(signal: AbortSignal | undefined) {
  return canceled(signal?.reason);
}

/** The real clock: `performance.now()` and timers that do not keep the process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface ManualTimer {
  at: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to. Sleepers wake, in order of their deadline, as
 * {@link ManualClock.advance} passes it; each wake-up lets pending promise callbacks run before
 * the next, so code that loops on `sleep` behaves as it does with real time.
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: ManualTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Sleepers that have not woken yet. */
  get pendingSleepers(): number {
    return this.#timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const timer: ManualTimer = {
        at: this.#now + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((entry) => entry !== timer);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#timers.sort((first, second) => first.at - second.at);
    });
  }

  /** Moves time forward by `ms`, waking every sleeper whose time comes, one at a time. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Advances until no sleeper is left (or `limitMs` has passed), jumping from wake-up to wake-up. */
  async runAll(limitMs = 24 * 3_600_000): Promise<void> {
    const stop = this.#now + limitMs;
    await flushMicrotasks();
    while (this.#timers.length > 0 && this.#now < stop) {
      const next = this.#timers[0]!;
      await this.advance(Math.max(0, Math.min(next.at, stop) - this.#now));
    }
  }
}

/** Lets queued promise callbacks run (a few macrotask turns, so chains of awaits settle). */
async function flushMicrotasks(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}
