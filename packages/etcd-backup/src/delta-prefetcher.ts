import type { StoredSnapshot } from '@trellis/core';
import type { DeltaEvent } from './delta-format.js';

/** Deltas fetched ahead of their application, taken in order. */
export interface DeltaPrefetcher {
  /** Starts fetching from the first delta on. */
  start(): void;
  /** The events of delta `index`; deltas are taken in order, each once. */
  take(index: number): Promise<DeltaEvent[]>;
}

/**
 * Fetches (and verifies, through `fetch`) deltas ahead of their application, in order: at most
 * `fetchConcurrency` at a time, and while those held (fetching or fetched, not yet taken) stay
 * within `fetchAheadBytes` of stored size. The next delta is always fetched.
 */
export function createDeltaPrefetcher(
  deltas: StoredSnapshot[],
  options: { fetchConcurrency?: number; fetchAheadBytes?: number },
  fetch: (delta: StoredSnapshot) => Promise<DeltaEvent[]>,
): DeltaPrefetcher {
  const concurrency = Math.max(1, options.fetchConcurrency ?? 4);
  const budget = Math.max(0, options.fetchAheadBytes ?? 64 * 1024 * 1024);
  // A store that does not list sizes: as many held as downloading at once.
  const sizeOf = (index: number) => deltas[index]?.size ?? budget / concurrency;
  const held = new Map<number, Promise<DeltaEvent[]>>();
  let next = 0;
  let downloading = 0;
  let heldBytes = 0;
  const fill = () => {
    while (
      next < deltas.length &&
      downloading < concurrency &&
      (held.size === 0 || heldBytes + sizeOf(next) <= budget)
    ) {
      const index = next++;
      downloading++;
      heldBytes += sizeOf(index);
      const events = fetch(deltas[index] as StoredSnapshot);
      const settled = () => {
        downloading--;
        fill();
      };
      events.then(settled, settled);
      held.set(index, events);
    }
  };
  return {
    start: fill,
    async take(index: number): Promise<DeltaEvent[]> {
      fill();
      const events = held.get(index);
      if (!events) throw new Error(`delta ${index} was taken out of order`);
      try {
        return await events;
      } finally {
        held.delete(index);
        heldBytes -= sizeOf(index);
        fill();
      }
    },
  };
}
