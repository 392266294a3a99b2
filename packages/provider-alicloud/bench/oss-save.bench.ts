// OSS save of 256 MiB into the OSS fake (in its own process): the Trellis store (streamed
// multipart, per-part Content-MD5, SHA-256 of the whole snapshot) vs a plain ali-oss
// multipartUpload of the same bytes with the same part size and parallelism (which needs the
// whole snapshot in one Buffer: gathering it is timed too). Rounds alternate; medians count.
// Target: throughput >= 0.9x. Peak RSS during each variant's first run is reported.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAlicloudProvider, ensureAlicloudBackupBucket } from '@trellis/provider-alicloud';
import { FAKE_ACCESS_KEY } from '@trellis/provider-alicloud/testing';
import { compareSaveThroughput } from '@trellis/testkit';
import OSS from 'ali-oss';

const MIB = 1024 * 1024;
const PART = 8 * MIB;
const PARALLEL = 4;
const BUCKET = 'bench';

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
  const provider = createAlicloudProvider({
    region: 'eu-central-1',
    credentials: FAKE_ACCESS_KEY,
    endpoints: { oss: url },
  });
  await ensureAlicloudBackupBucket(provider.context, BUCKET);
  const store = provider.backupStore({
    bucket: BUCKET,
    prefix: 'trellis',
    partSize: PART,
    parallel: PARALLEL,
  });
  const plain = new OSS({ ...FAKE_ACCESS_KEY, bucket: BUCKET, region: 'oss-eu-central-1', endpoint: url });
  await compareSaveThroughput({
    benchmark: 'oss-save 256 MiB into the OSS fake',
    sizeBytes: 256 * MIB,
    rounds: Number(process.env.TRELLIS_BENCH_ROUNDS ?? 3),
    baselineLabel: 'plain-multipart-upload',
    target: 0.9,
    store,
    async plain(round, bytes) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of bytes()) chunks.push(chunk);
      await plain.multipartUpload(`plain/${round}`, Buffer.concat(chunks), {
        partSize: PART,
        parallel: PARALLEL,
      });
      await plain.delete(`plain/${round}`);
    },
  });
} finally {
  child.kill('SIGTERM');
}
