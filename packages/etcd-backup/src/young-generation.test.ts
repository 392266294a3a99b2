import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createScavenger } from './young-generation.js';

/** Counts the minor (scavenge) collections V8 runs while `action` runs. */
async function minorCollections(action: () => void): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (
        (entry as unknown as { detail?: { kind?: number } }).detail?.kind ===
        constants.NODE_PERFORMANCE_GC_MINOR
      ) {
        count += 1;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  action();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return count;
}

describe('createScavenger', () => {
  it('runs a young-generation collection every so many bytes, and none when turned off', async () => {
    const scavenge = createScavenger(1000);
    const collected = await minorCollections(() => {
      for (let index = 0; index < 10; index++) scavenge(500);
    });
    expect(collected).toBeGreaterThanOrEqual(5);
    const off = createScavenger(0);
    const idle = await minorCollections(() => {
      for (let index = 0; index < 10; index++) off(500);
    });
    expect(idle).toBeLessThan(collected);
  });
});
