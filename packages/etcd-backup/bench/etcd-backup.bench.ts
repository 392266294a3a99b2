// Benchmarks of @trellis/etcd-backup against etcd's own tools, run in one process:
//   node bench/etcd-backup.bench.ts          (after `pnpm build`; `pnpm bench` does both)
// TRELLIS_BENCH_ETCD_MB sets the database size to fill (default 200).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalProvider } from '@trellis/provider-local';
import { createEtcdClient, restoreEtcd, startEtcdServer, takeDeltaSnapshot } from '../dist/index.mjs';

const targetMb = Number(process.env.TRELLIS_BENCH_ETCD_MB ?? 200);
const MIB = 1024 * 1024;
const work = await mkdtemp(join(tmpdir(), 'trellis-etcd-bench-'));
const etcdEnvironment = { ...process.env, ETCDCTL_API: '3' };
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const row = (name: string, value: string, baseline: string, ratio: string) =>
  console.log(`${name.padEnd(44)} ${value.padStart(14)} ${baseline.padStart(14)} ${ratio.padStart(8)}`);

/** Half random, half repeated bytes: compresses about 2:1, like protobuf-heavy etcd data. */
function value(size: number): Buffer {
  const half = randomBytes(Math.floor(size / 2));
  return Buffer.concat([half, Buffer.alloc(size - half.length, 0x61)]);
}

const server = await startEtcdServer({
  dataDirectory: join(work, 'source'),
  extraArguments: [
    '--quota-backend-bytes=4294967296',
    '--max-request-bytes=10485760',
    '--snapshot-count=100000',
  ],
});
const client = createEtcdClient({ endpoints: [server.endpoint] });
try {
  console.log(`filling etcd with ~${targetMb} MB (TRELLIS_BENCH_ETCD_MB)...`);
  const valueSize = 64 * 1024;
  const perTxn = 100;
  const total = Math.ceil((targetMb * MIB) / valueSize);
  for (let start = 0; start < total; start += perTxn) {
    const success = [];
    for (let index = start; index < Math.min(total, start + perTxn); index++) {
      success.push({
        request_put: { key: Buffer.from(`/registry/bench/${index}`), value: value(valueSize) },
      });
    }
    await client.kv.txn({ success });
  }

  // Baseline: etcdctl snapshot save to a file, then gzip -1 of it.
  const baselineFile = join(work, 'baseline.db');
  let started = process.hrtime.bigint();
  execFileSync('etcdctl', ['--endpoints', server.endpoint, 'snapshot', 'save', baselineFile], {
    env: etcdEnvironment,
    stdio: 'ignore',
  });
  execFileSync('gzip', ['-1', '-k', baselineFile]);
  const baselineSeconds = seconds(started);
  const databaseBytes = (await stat(baselineFile)).size;

  // Trellis: stream through gzip into the local provider's store.
  const store = createLocalProvider({ stateDirectory: join(work, 'state') }).backupStore({
    directory: join(work, 'bucket'),
    prefix: 'bench',
  });
  // In a fresh process, so its peak RSS is the snapshot's own; once more with a small young
  // generation, which collects the snapshot's short-lived buffers sooner.
  const snapshotInChild = (nodeFlags: string[], bucket: string) =>
    JSON.parse(
      execFileSync(process.execPath, [
        ...nodeFlags,
        fileURLToPath(new URL('./full-snapshot-child.mjs', import.meta.url)),
        server.endpoint,
        join(work, bucket),
        join(work, 'state'),
      ]).toString(),
    ) as { name: string; seconds: number; rssAfterImports: number; maxRssBytes: number };
  const child = snapshotInChild([], 'bucket');
  const smallHeapChild = snapshotInChild(['--max-semi-space-size=1'], 'bucket-small-heap');
  const trellisSeconds = child.seconds;
  const full = (await store.list()).find((snapshot) => snapshot.name === child.name);
  if (!full) throw new Error(`the child's snapshot ${child.name} is not listed`);

  // 20 deltas of mixed puts and deletes.
  let since = full.lastRevision;
  for (let delta = 0; delta < 20; delta++) {
    for (let index = 0; index < 50; index++) {
      await client.put(`/registry/delta/${delta}/${index}`).value(value(4096));
    }
    await client.delete().key(`/registry/bench/${delta}`);
    const saved = await takeDeltaSnapshot({ client, store, sinceRevision: since });
    since = saved?.lastRevision ?? since;
  }

  // Baseline: etcdctl snapshot restore of the full snapshot alone (the floor).
  started = process.hrtime.bigint();
  execFileSync(
    'etcdctl',
    ['snapshot', 'restore', baselineFile, '--data-dir', join(work, 'baseline-restore')],
    {
      env: etcdEnvironment,
      stdio: 'ignore',
    },
  );
  const restoreBaselineSeconds = seconds(started);
  started = process.hrtime.bigint();
  const phases: string[] = [];
  const phase = (_object: Record<string, unknown>, message?: string) => {
    if (message && !message.startsWith('applied delta'))
      phases.push(`${seconds(started).toFixed(2)} s ${message}`);
  };
  const restored = await restoreEtcd({
    store,
    dataDirectory: join(work, 'trellis-restore'),
    logger: { debug: phase, info: phase, warn: phase, error: phase },
  });
  const restoreSeconds = seconds(started);
  phases.push(`${restoreSeconds.toFixed(2)} s done`);

  const mbps = (bytes: number, time: number) => `${(bytes / MIB / time).toFixed(1)} MiB/s`;
  const gzBytes = (await stat(`${baselineFile}.gz`)).size;
  const storedFiles = (await readdir(join(work, 'bucket', 'bench', 'v2'))).filter((name) =>
    name.endsWith('.gz'),
  );
  console.log(
    `\ndatabase ${(databaseBytes / MIB).toFixed(1)} MiB, gzip -1 ${(gzBytes / MIB).toFixed(1)} MiB, stored ${storedFiles.length} snapshots`,
  );
  row('benchmark', 'trellis', 'baseline', 'ratio');
  row(
    'full snapshot throughput (vs etcdctl save + gzip -1, target >= 0.95x)',
    mbps(databaseBytes, trellisSeconds),
    mbps(databaseBytes, baselineSeconds),
    `${(baselineSeconds / trellisSeconds).toFixed(2)}x ${baselineSeconds / trellisSeconds >= 0.95 ? 'MET' : 'MISSED'}`,
  );
  row(
    'full snapshot peak RSS (target < 128 MiB)',
    `${(child.maxRssBytes / MIB).toFixed(1)} MiB`,
    `${(child.rssAfterImports / MIB).toFixed(1)} MiB`,
    child.maxRssBytes < 128 * MIB ? 'MET' : 'MISSED',
  );
  row(
    '  same, node --max-semi-space-size=1',
    `${(smallHeapChild.maxRssBytes / MIB).toFixed(1)} MiB`,
    `${(smallHeapChild.rssAfterImports / MIB).toFixed(1)} MiB`,
    '-',
  );
  console.log('  (peak RSS of the snapshot process; baseline column: the same process after its imports)');
  row(
    `restore full + ${restored.plan.deltas.length} deltas (vs etcdctl restore of full)`,
    `${restoreSeconds.toFixed(2)} s`,
    `${restoreBaselineSeconds.toFixed(2)} s`,
    `${(restoreSeconds / restoreBaselineSeconds).toFixed(2)}x`,
  );
  console.log(`restore phases: ${phases.join('; ')}`);
  console.log(
    '(throughput ratio: higher is better, target >= 0.95x; restore ratio: time over the floor, lower is better)',
  );
} finally {
  client.close();
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
