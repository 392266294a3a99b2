// S3 save of 256 MiB into s3rver: the Trellis BackupStore vs a plain lib-storage Upload of the same
// bytes to the same server, with the same part size and parallelism. Target: throughput >= 1.0x.
// s3rver runs in this process; each measured save runs in a fresh child process, so its peak
// resident memory is its own. Rounds alternate between the two and the median time counts.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createS3BackupStore } from '@trellis/provider-aws';
import { reportBenchmark as report } from '@trellis/testkit';
import S3rver from 's3rver';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const PART_SIZE = 16 * MIB;
const QUEUE_SIZE = 4;
// Other work on the machine makes single runs vary a lot: take the median of several alternating runs.
const ROUNDS = Number(process.env.TRELLIS_BENCH_ROUNDS ?? 5);
const BUCKET = 'bench';

type Variant = 'trellis' | 'plain';
interface Measurement {
  variant: Variant;
  seconds: number;
  /** CPU time of the client process (user + system): what the client side costs, load or not. */
  cpuSeconds: number;
  peakRssGrowth: number;
  peakRss: number;
}

function clientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** 256 MiB of one random 4 MiB block, repeated in fresh 1 MiB buffers: generated lazily. */
async function* snapshotBytes(onChunk: () => void): AsyncGenerator<Uint8Array> {
  const block = Buffer.alloc(4 * MIB);
  for (let offset = 0; offset < block.length; offset += 4)
    block.writeUInt32LE((offset * 2654435761) >>> 0, offset);
  for (let offset = 0; offset < SIZE; offset += MIB) {
    onChunk();
    yield Buffer.from(block.subarray(offset % block.length, (offset % block.length) + MIB));
  }
}

async function measureChild(variant: Variant, endpoint: string, key: string): Promise<void> {
  const client = clientFor(endpoint);
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 10);
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  if (variant === 'trellis') {
    const store = createS3BackupStore({
      client,
      bucket: BUCKET,
      prefix: key,
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
    });
    const snapshot = { kind: 'Full', startRevision: 1, lastRevision: 2, createdOn: new Date() } as const;
    await store.save(snapshot, snapshotBytes(sample));
  } else {
    const { Readable } = await import('node:stream');
    await new Upload({
      client,
      params: { Bucket: BUCKET, Key: `${key}/plain`, Body: Readable.from(snapshotBytes(sample)) },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
    }).done();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  clearInterval(timer);
  sample();
  client.destroy();
  const measurement: Measurement = {
    variant,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssGrowth: peak - baseline,
    peakRss: peak,
  };
  console.log(JSON.stringify(measurement));
}

function runChild(variant: Variant, endpoint: string, key: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child', variant, endpoint, key], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${variant} run exited with ${code}`));
      else resolve(JSON.parse(output.trim().split('\n').pop()!) as Measurement);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'trellis-s3-bench-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = clientFor(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const results: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order: Variant[] = round % 2 === 0 ? ['plain', 'trellis'] : ['trellis', 'plain'];
      for (const variant of order) {
        const prefix = `${variant}-${round}`;
        const measurement = await runChild(variant, endpoint, prefix);
        results.push(measurement);
        const saved = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
        for (const object of saved.Contents ?? []) {
          await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: object.Key }));
        }
      }
    }
    const of = (variant: Variant) => results.filter((result) => result.variant === variant);
    const throughput = (variant: Variant) => SIZE / MIB / median(of(variant).map((result) => result.seconds));
    for (const variant of ['trellis', 'plain'] as const) {
      const runs = of(variant);
      console.log(
        `${variant.padEnd(7)} ${throughput(variant).toFixed(1)} MiB/s (median of ${runs
          .map((result) => result.seconds.toFixed(2))
          .join(' / ')} s), client CPU ${median(runs.map((result) => result.cpuSeconds)).toFixed(2)} s, ` +
          `peak RSS ${mib(Math.max(...runs.map((result) => result.peakRss)))} ` +
          `(growth ${mib(Math.max(...runs.map((result) => result.peakRssGrowth)))})`,
      );
    }
    report({
      benchmark: 's3-save 256 MiB into s3rver',
      metric: 'MiB/s',
      trellis: throughput('trellis'),
      baseline: throughput('plain'),
      baselineLabel: 'plain-lib-storage-Upload',
      target: { ratio: 1, kind: 'min' },
    });
    // The client's CPU time is the steadier signal on a shared machine. Both hash every byte once:
    // the plain upload to sign each part, the store as the source yields it (and signs each part
    // with that digest); the store adds two small requests (size check and checksum tag).
    report({
      benchmark: 's3-save 256 MiB into s3rver',
      metric: 'client CPU s',
      trellis: median(of('trellis').map((result) => result.cpuSeconds)),
      baseline: median(of('plain').map((result) => result.cpuSeconds)),
      baselineLabel: 'plain-lib-storage-Upload',
      target: { ratio: 1.1, kind: 'max' },
    });
  } finally {
    client.destroy();
    server.httpServer.closeAllConnections();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') {
  await measureChild(process.argv[3] as Variant, process.argv[4]!, process.argv[5]!);
} else {
  await main();
}
