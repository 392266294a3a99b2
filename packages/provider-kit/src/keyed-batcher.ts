import { canceled } from '@trellis/core';
import { type Clock, systemClock } from './clock.js';

interface Waiter<Value> {
  resolve: (value: Value | undefined) => void;
  reject: (error: unknown) => void;
}

/** Options of {@link KeyedBatcher}. */
export interface KeyedBatcherOptions<Key, Value> {
  /** How long the first request of a batch waits for others. */
  readonly windowMs: number;
  /** Most keys in one batch; a full batch goes out at once. */
  readonly maxKeys: number;
  /** Reads many keys in one call; keys missing from the map resolve to `undefined`. */
  readonly fetch: (keys: Key[]) => Promise<Map<Key, Value>>;
  /**
   * When a batch of several keys fails with an error this accepts, each key is read on its own
   * (`fetch([key])`), so one bad key (an id the cloud rejects) does not fail its neighbours.
   * @default never: every waiter of the batch gets the error
   */
  readonly fallbackPerKey?: (error: unknown) => boolean;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Merges concurrent reads of single keys made within a short window into one batched read
 * (Karpenter's batcher): 1,000 concurrent `getMachine` calls become one list call with 1,000 ids.
 * Each caller may abort its own wait without affecting the batch.
 *
 * @example
 * ```ts
 * const byId = new KeyedBatcher({
 *   windowMs: 10,
 *   maxKeys: 1000,
 *   fetch: async (ids) => new Map((await describe(ids)).map((vm) => [vm.id, vm])),
 * });
 * const vm = await byId.get('i-123', signal); // undefined when the cloud has no such VM
 * ```
 */
export class KeyedBatcher<Key, Value> {
  readonly #options: KeyedBatcherOptions<Key, Value>;
  readonly #clock: Clock;
  #pending = new Map<Key, Array<Waiter<Value>>>();
  #window: AbortController | undefined;

  constructor(options: KeyedBatcherOptions<Key, Value>) {
    if (!(options.maxKeys >= 1)) throw new RangeError('a batch needs room for at least one key');
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Reads one key as part of the next batch. */
  get(key: Key, signal?: AbortSignal): Promise<Value | undefined> {
    if (signal?.aborted) return Promise.reject(canceled(signal.reason));
    return new Promise<Value | undefined>((resolve, reject) => {
      const onAbort = () => reject(canceled(signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      const waiter: Waiter<Value> = {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const waiters = this.#pending.get(key);
      if (waiters) waiters.push(waiter);
      else this.#pending.set(key, [waiter]);
      if (this.#pending.size >= this.#options.maxKeys) this.#flush();
      else if (!this.#window) {
        const window = new AbortController();
        this.#window = window;
        this.#clock.sleep(this.#options.windowMs, window.signal).then(
          () => this.#flush(),
          () => {},
        );
      }
    });
  }

  #flush(): void {
    this.#window?.abort();
    this.#window = undefined;
    const batch = this.#pending;
    this.#pending = new Map();
    if (batch.size === 0) return;
    this.#read([...batch.keys()]).then(
      (values) => {
        for (const [key, waiters] of batch) {
          const value = values.get(key);
          for (const waiter of waiters) {
            if (value instanceof KeyFailure) waiter.reject(value.error);
            else waiter.resolve(value);
          }
        }
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      },
    );
  }

  async #read(keys: Key[]): Promise<Map<Key, Value | KeyFailure>> {
    try {
      return await this.#options.fetch(keys);
    } catch (error) {
      if (keys.length < 2 || !this.#options.fallbackPerKey?.(error)) throw error;
      const results = new Map<Key, Value | KeyFailure>();
      await Promise.all(
        keys.map(async (key) => {
          try {
            const value = (await this.#options.fetch([key])).get(key);
            if (value !== undefined) results.set(key, value);
          } catch (keyError) {
            results.set(key, new KeyFailure(keyError));
          }
        }),
      );
      return results;
    }
  }
}

class KeyFailure {
  constructor(readonly error: unknown) {}
}
