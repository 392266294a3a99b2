// GCS save of 256 MiB into the GCS fake (in its own process): the Trellis store vs a plain
// @google-cloud/storage resumable upload of the same bytes with the same chunk size. Rounds
// alternate; medians count. Target: throughput >= 0.9x. Peak RSS during each variant's first run is reported.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Storage } from '@google-cloud/storage';
import { createGcpProvider } from '@trellis/provider-gcp';
import { compareSaveThroughput } from '@trellis/testkit';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const CHUNK = 8 * MIB;
const ROUNDS = Number(process.env.TRELLIS_BENCH_ROUNDS ?? 3);

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
  await compareSaveThroughput({
    benchmark: 'gcs-save 256 MiB into the GCS fake',
    sizeBytes: SIZE,
    rounds: ROUNDS,
    baselineLabel: 'plain-resumable-upload',
    target: 0.9,
    store,
    async plain(round, bytes) {
      const file = storage.bucket('bench').file(`plain/${round}`);
      await pipeline(
        Readable.from(bytes()),
        file.createWriteStream({ resumable: true, chunkSize: CHUNK, validation: 'crc32c' }),
      );
      await file.delete();
    },
  });
  await provider.close();
} finally {
  child.kill('SIGTERM');
}
