import type { BackupStore } from '@trellis/core';

const MIB = 1024 * 1024;

/**
 * `size` bytes in 1 MiB chunks of a fixed pattern (not compressible to nothing, cheap to make):
 * the same bytes for every variant of a save benchmark.
 */
export async function* patternedBytes(size: number): AsyncGenerator<Uint8Array> {
  const block = Buffer.alloc(4 * MIB);
  for (let offset = 0; offset < block.length; offset += 4)
    block.writeUInt32LE((offset * 2654435761) >>> 0, offset);
  for (let offset = 0; offset < size; offset += MIB) {
    const start = offset % block.length;
    yield Buffer.from(block.subarray(start, start + Math.min(MIB, size - offset)));
  }
}

/** Options of {@link compareSaveThroughput}. */
export interface SaveThroughputOptions {
  /** What is measured, for the summary line (`oss-save 256 MiB into the OSS fake`). */
  readonly benchmark: string;
  readonly sizeBytes: number;
  /** Rounds of both variants; medians count. */
  readonly rounds: number;
  /** The baseline's name in the summary (`plain-multipart-upload`). */
  readonly baselineLabel: string;
  /** Throughput ratio the store must reach. */
  readonly target: number;
  /** The Trellis store: each round saves a full snapshot of the bytes into it, then deletes it. */
  readonly store: BackupStore;
  /** One plain upload of the same bytes with the SDK (and its clean-up). */
  plain(round: number, bytes: () => AsyncGenerator<Uint8Array>): Promise<void>;
}

/** What {@link compareSaveThroughput} measured. */
export interface SaveThroughputResult {
  /** MiB/s of the median run of each variant. */
  readonly trellis: number;
  readonly plain: number;
  readonly ratio: number;
  readonly met: boolean;
}

/**
 * Times a store's save against a plain SDK upload of the same bytes, in alternating rounds (single
 * runs on a busy machine vary a lot), and prints each variant's runs and the median ratio with
 * MET/MISSED, and the peak RSS of each variant in the first round (the store goes first there,
 * before the plain upload has grown the process; RSS rarely shrinks afterwards).
 */
export async function compareSaveThroughput(options: SaveThroughputOptions): Promise<SaveThroughputResult> {
  const runs = { trellis: [] as number[], plain: [] as number[] };
  const peak = { trellis: 0, plain: 0 };
  let sampling: 'trellis' | 'plain' | undefined;
  const sampler = setInterval(() => {
    if (sampling) peak[sampling] = Math.max(peak[sampling], process.memoryUsage.rss());
  }, 20);
  const bytes = () => patternedBytes(options.sizeBytes);
  const variants = {
    async trellis(round: number) {
      const snapshot = {
        kind: 'Full',
        startRevision: 0,
        lastRevision: round + 1,
        createdOn: new Date(),
      } as const;
      await options.store.save(snapshot, bytes());
      await options.store.delete(snapshot);
    },
    plain: (round: number) => options.plain(round, bytes),
  };
  try {
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? (['trellis', 'plain'] as const) : (['plain', 'trellis'] as const);
      for (const variant of order) {
        sampling = round === 0 ? variant : undefined;
        const started = performance.now();
        await variants[variant](round);
        runs[variant].push((performance.now() - started) / 1000);
      }
    }
  } finally {
    clearInterval(sampler);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const throughput = (variant: 'trellis' | 'plain') => options.sizeBytes / MIB / median(runs[variant]);
  const result = {
    trellis: throughput('trellis'),
    plain: throughput('plain'),
    ratio: throughput('trellis') / throughput('plain'),
  };
  const met = result.ratio >= options.target;
  for (const variant of ['trellis', 'plain'] as const)
    console.log(
      `${variant.padEnd(7)} ${result[variant].toFixed(1)} MiB/s (${runs[variant].map((seconds) => seconds.toFixed(2)).join(' / ')} s)`,
    );
  console.log(
    `${options.benchmark}: MiB/s trellis=${result.trellis.toFixed(2)} ${options.baselineLabel}=${result.plain.toFixed(2)} ` +
      `ratio=${result.ratio.toFixed(3)} (target >= ${options.target}) ${met ? 'MET' : 'MISSED'}; ` +
      `peak RSS in the first round: trellis ${(peak.trellis / MIB).toFixed(0)} MiB, then plain ${(peak.plain / MIB).toFixed(0)} MiB`,
  );
  return { ...result, met };
}
