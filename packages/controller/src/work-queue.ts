/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** First delay of a key's rate-limited requeue; doubles per failure. @default 5 */
  readonly baseDelayMs?: number;
  /** Longest delay of a rate-limited requeue. @default 300000 (5 minutes) */
  readonly maxDelayMs?: number;
}

/**
 * A work queue with client-go's semantics: a key added several times before it is processed is
 * processed once; a key is never processed by two workers at once (added while processing, it
 * runs again afterwards); a failed key comes back after an exponential per-key backoff until it
 * succeeds ({@link WorkQueue.forget}).
 */
export class WorkQueue<Key> {
  readonly #queue: Key[] = [];
  readonly #dirty = new Set<Key>();
  readonly #processing = new Set<Key>();
  readonly #failures = new Map<Key, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters: Array<(key: Key | undefined) => void> = [];
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 300_000;
  }

  /** Keys waiting (not counting those being processed or delayed). */
  get depth(): number {
    return this.#queue.length;
  }

  /** Adds a key (once, however often it is added before it is processed). */
  add(key: Key): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter(key);
    else this.#queue.push(key);
  }

  /** Adds a key after a delay. */
  addAfter(key: Key, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this.#timers.add(timer);
  }

  /** Adds a key after its backoff, which doubles with each call until {@link WorkQueue.forget}. */
  addRateLimited(key: Key): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const delayMs = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** failures);
    this.addAfter(key, delayMs);
    return delayMs;
  }

  /** Clears a key's backoff (it succeeded). */
  forget(key: Key): void {
    this.#failures.delete(key);
  }

  /** How often a key has failed since it was last forgotten. */
  failures(key: Key): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process, or undefined once the queue shuts down; call {@link WorkQueue.done} after. */
  async next(): Promise<Key | undefined> {
    const key =
      this.#queue.shift() ??
      (this.#shuttingDown
        ? undefined
        : await new Promise<Key | undefined>((resolve) => this.#waiters.push(resolve)));
    if (key === undefined) return undefined;
    this.#dirty.delete(key);
    this.#processing.add(key);
    return key;
  }

  /** Marks a key processed; if it was added meanwhile, it is queued again. */
  done(key: Key): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops handing out keys: waiting `next()` calls resolve undefined; delayed adds are dropped. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }
}
