import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collector = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let collector: Collector | null | undefined;

/**
 * V8's garbage collector as a function, without starting Node with `--expose-gc`: the flag is
 * turned on and `gc` read from a fresh context (it is installed only in contexts made after the
 * flag). `null` where the platform refuses.
 */
function garbageCollector(): Collector | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collector = typeof gc === 'function' ? (gc as Collector) : null;
  } catch {
    collector = null;
  }
  return collector;
}

/**
 * Runs a young-generation collection (a scavenge, about a millisecond here) every `everyBytes`
 * of streamed data. A full snapshot's memory is dead buffers — HTTP/2 socket reads, grpc-js
 * message copies, gzip output — that V8 frees only at its next scavenge, which a process that has
 * just loaded etcd3 and grpc-js runs only every ~18 MB of snapshot: up to 60 MiB of garbage at
 * once. Collecting every few MiB keeps the peak flat at the cost of a few dozen scavenges per
 * 200 MB. `everyBytes` 0 turns it off.
 */
export function createScavenger(everyBytes: number): (bytes: number) => void {
  if (!(everyBytes > 0)) return () => {};
  let sinceLast = 0;
  return (bytes) => {
    sinceLast += bytes;
    if (sinceLast < everyBytes) return;
    sinceLast = 0;
    garbageCollector()?.({ type: 'minor' });
  };
}
