import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Peak growth of the process's memory over a measured stretch. */
export interface MemoryGrowth {
  /** Peak resident set size minus the size at the start, in bytes. */
  rss: number;
  /** Peak `ArrayBuffer`/`Buffer` memory minus the start, in bytes. */
  arrayBuffers: number;
}

let collector: (() => void) | null | undefined;

/**
 * A full garbage collection, when one can be had: `global.gc` when node runs with `--expose-gc`,
 * else the same function taken from a fresh context after setting the flag at run time (as Jest's
 * leak detector does). Null when neither works.
 */
export function garbageCollector(): (() => void) | null {
  if (collector !== undefined) return collector;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    collector = exposed;
    return collector;
  }
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collector = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collector = null;
  }
  return collector;
}

/**
 * Measures how much memory grows while `run` works: peak minus start of RSS and of ArrayBuffer
 * memory. `run` gets a `sample` function to call often (e.g. from the data source). Before each
 * sample, garbage is collected when possible, so the peak shows what is held (by the store under
 * test) rather than garbage a lazy collector has not reclaimed yet; without a collector the
 * peak includes garbage, which only makes the measurement stricter.
 */
export async function measureMemoryGrowth<T>(
  run: (sample: () => void) => Promise<T>,
): Promise<{ result: T; growth: MemoryGrowth; collected: boolean }> {
  const gc = garbageCollector();
  gc?.();
  const start = process.memoryUsage();
  const peak = { rss: start.rss, arrayBuffers: start.arrayBuffers };
  const sample = () => {
    gc?.();
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
  };
  const result = await run(sample);
  sample();
  const growth = { rss: peak.rss - start.rss, arrayBuffers: peak.arrayBuffers - start.arrayBuffers };
  return { result, growth, collected: gc !== null };
}

/**
 * A lazy `size`-byte stream that repeats `block`, yielding a fresh buffer per chunk: a store that
 * buffers the whole stream holds `size` bytes, one that streams holds a few chunks (and an
 * in-memory store that keeps equal chunks once holds one block).
 */
export function repeatingSource(
  size: number,
  options: { block: Uint8Array; chunkSize: number; onChunk?: () => void },
): AsyncIterable<Uint8Array> {
  const { block, chunkSize, onChunk } = options;
  const period = block.length;
  return {
    async *[Symbol.asyncIterator]() {
      let length = 0;
      for (let offset = 0; offset < size; offset += length) {
        onChunk?.();
        const start = offset % period;
        length = Math.min(chunkSize, size - offset, period - start);
        yield Buffer.from(block.subarray(start, start + length));
      }
    },
  };
}
