import type { Clock } from '../src/index.js';

/** A simulated clock: time moves only when the test advances it. */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: Array<{ at: number; resolve: () => void }> = [];

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper = { at: this.#now + milliseconds, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((entry) => entry !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Waits (on the event loop, not on time) until `count` sleepers are waiting. */
  async sleepers(count: number): Promise<void> {
    for (let attempt = 0; this.#sleepers.length < count; attempt++) {
      if (attempt > 10_000) throw new Error(`only ${this.#sleepers.length} sleepers, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Moves time forward and wakes every sleeper that is due. */
  advance(milliseconds: number): void {
    this.#now += milliseconds;
    const due = this.#sleepers.filter((sleeper) => sleeper.at <= this.#now);
    this.#sleepers = this.#sleepers.filter((sleeper) => sleeper.at > this.#now);
    for (const sleeper of due) sleeper.resolve();
  }
}
