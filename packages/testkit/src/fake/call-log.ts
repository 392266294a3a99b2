import type { CallRecord } from './fake-types.js';

/** Every call a fake received, in arrival order, so tests can assert what an operation cost. */
export class CallLog {
  readonly #entries: CallRecord[] = [];

  /** Appends one call. */
  record(entry: CallRecord): void {
    this.#entries.push(entry);
  }

  /** How many calls were received, in total or for one action. */
  count(action?: string): number {
    if (action === undefined) return this.#entries.length;
    let count = 0;
    for (const entry of this.#entries) if (entry.action === action) count += 1;
    return count;
  }

  /** The calls received so far (a read-only view). */
  get entries(): readonly CallRecord[] {
    return this.#entries;
  }

  /** Forgets every call recorded so far. */
  reset(): void {
    this.#entries.length = 0;
  }
}
