// GCS save of 256 MiB into the GCS fake (in its own process): the Trellis store vs a plain
// @google-cloud/storage resumable upload of the same bytes with the same chunk size. Rounds
// alternate; medians count. Target: throughput >= 0.9x. Peak RSS of this process is reported.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Storage } from '@google-cloud/storage';
import { createGcpProvider } from '@trellis/provider-gcp';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const CHUNK = 8 * MIB;
const ROUNDS = Number(process.env.TRELLIS_BENCH_ROUNDS ?? 3);

async function* bytes(): AsyncGenerator<Uint8Array> {
  const block = Buffer.alloc(4 * MIB);
  for (let offset = 0; offset < block.length; offset += 4)
    block.writeUInt32LE((offset * 2654435761) >>> 0, offset);
  for (let offset = 0; offset < SIZE; offset += MIB)
    yield Buffer.from(block.subarray(offset % block.length, (offset % block.length) + MIB));
}

const entry = fileURLToPath(new URL('../dist/testing/index.mjs', import.meta.url));
const child = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const { startGcsFake } = await import(${JSON.stringify(entry)}); const f = await startGcsFake(); console.log(f.url);`,
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise<string>((resolve) =>
  child.stdout.once('data', (data: Buffer) => resolve(data.toString().trim())),
);
try {
  const storage = new Storage({ apiEndpoint: url, projectId: 'trellis-bench' });
  await storage.createBucket('bench');
  const provider = createGcpProvider({
    project: 'trellis-bench',
    region: 'europe-west1',
    credentials: 'none',
    endpoints: { storage: url },
  });
  const store = provider.backupStore({ bucket: 'bench', prefix: 'trellis', chunkSize: CHUNK });
  const runs: Record<'trellis' | 'plain', number[]> = { trellis: [], plain: [] };
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 === 0
      ? (['plain', 'trellis'] as const)
      : (['trellis', 'plain'] as const)) {
      const started = performance.now();
      if (variant === 'trellis') {
        const snapshot = {
          kind: 'Full',
          startRevision: 0,
          lastRevision: round + 1,
          createdOn: new Date(),
        } as const;
        await store.save(snapshot, bytes());
        await store.delete(snapshot);
      } else {
        const file = storage.bucket('bench').file(`plain/${round}`);
        await pipeline(
          Readable.from(bytes()),
          file.createWriteStream({ resumable: true, chunkSize: CHUNK, validation: 'crc32c' }),
        );
        await file.delete();
      }
      runs[variant].push((performance.now() - started) / 1000);
    }
  }
  clearInterval(sampler);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const throughput = (variant: 'trellis' | 'plain') => SIZE / MIB / median(runs[variant]);
  const ratio = throughput('trellis') / throughput('plain');
  console.log(
    `trellis ${throughput('trellis').toFixed(1)} MiB/s (${runs.trellis.map((s) => s.toFixed(2)).join(' / ')} s)`,
  );
  console.log(
    `plain   ${throughput('plain').toFixed(1)} MiB/s (${runs.plain.map((s) => s.toFixed(2)).join(' / ')} s)`,
  );
  console.log(
    `gcs-save 256 MiB into the GCS fake: MiB/s trellis=${throughput('trellis').toFixed(2)} plain-resumable-upload=${throughput('plain').toFixed(2)} ` +
      `ratio=${ratio.toFixed(3)} (target >= 0.9) ${ratio >= 0.9 ? 'MET' : 'MISSED'}; peak RSS of this process ${(peak / MIB).toFixed(0)} MiB`,
  );
  await provider.close();
} finally {
  child.kill('SIGTERM');
}
