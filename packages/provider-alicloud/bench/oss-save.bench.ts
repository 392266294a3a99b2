// OSS save of 256 MiB into the OSS fake (in its own process): the Trellis store (streamed
// multipart, per-part Content-MD5, SHA-256 of the whole snapshot) vs a plain ali-oss
// multipartUpload of the same bytes with the same part size and parallelism (which needs the
// whole snapshot in one Buffer: gathering it is timed too). Rounds alternate; medians count.
// Target: throughput >= 0.9x. Peak RSS during each variant is reported.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAlicloudProvider, ensureOssBucket, type OssBucketClient } from '@trellis/provider-alicloud';
import { FAKE_ACCESS_KEY } from '@trellis/provider-alicloud/testing';
import OSS from 'ali-oss';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const PART = 8 * MIB;
const PARALLEL = 4;
const ROUNDS = Number(process.env.TRELLIS_BENCH_ROUNDS ?? 3);
const BUCKET = 'bench';

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
    `const { startOssFake } = await import(${JSON.stringify(entry)}); const f = await startOssFake(); console.log(f.url);`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve) =>
  child.stdout.once('data', (data: Buffer) => resolve(data.toString().trim())),
);
try {
  const plain = new OSS({ ...FAKE_ACCESS_KEY, bucket: BUCKET, region: 'oss-eu-central-1', endpoint: url });
  await ensureOssBucket(plain as unknown as OssBucketClient, BUCKET);
  const provider = createAlicloudProvider({
    region: 'eu-central-1',
    credentials: FAKE_ACCESS_KEY,
    endpoints: { oss: url },
  });
  const store = provider.backupStore({
    bucket: BUCKET,
    prefix: 'trellis',
    partSize: PART,
    parallel: PARALLEL,
  });
  const runs: Record<'trellis' | 'plain', number[]> = { trellis: [], plain: [] };
  // Peak RSS while each variant runs in the first round: Trellis goes first, before the plain
  // upload's 256 MiB Buffer has grown the process (RSS rarely shrinks afterwards).
  const peak = { trellis: 0, plain: 0 };
  let running: 'trellis' | 'plain' | undefined = 'trellis';
  const sampler = setInterval(() => {
    if (running) peak[running] = Math.max(peak[running], process.memoryUsage.rss());
  }, 20);
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 === 0
      ? (['trellis', 'plain'] as const)
      : (['plain', 'trellis'] as const)) {
      running = round === 0 ? variant : undefined;
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
        const chunks: Uint8Array[] = [];
        for await (const chunk of bytes()) chunks.push(chunk);
        await plain.multipartUpload(`plain/${round}`, Buffer.concat(chunks), {
          partSize: PART,
          parallel: PARALLEL,
        });
        await plain.delete(`plain/${round}`);
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
    `oss-save 256 MiB into the OSS fake: MiB/s trellis=${throughput('trellis').toFixed(2)} plain-multipart-upload=${throughput('plain').toFixed(2)} ` +
      `ratio=${ratio.toFixed(3)} (target >= 0.9) ${ratio >= 0.9 ? 'MET' : 'MISSED'}; peak RSS in the first round: trellis ${(peak.trellis / MIB).toFixed(0)} MiB, then plain ${(peak.plain / MIB).toFixed(0)} MiB`,
  );
} finally {
  child.kill('SIGTERM');
}
