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
const ROUNDS = Math.max(1, Number(process.env.TRELLIS_BENCH_ROUNDS ?? 5));
const median = (values: number[]) =>
  [...values].sort((first, second) => first - second)[Math.floor(values.length / 2)]!;
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
  const baselineSnapshot = () => {
    const started = process.hrtime.bigint();
    execFileSync('etcdctl', ['--endpoints', server.endpoint, 'snapshot', 'save', baselineFile], {
      env: etcdEnvironment,
      stdio: 'ignore',
    });
    execFileSync('gzip', ['-1', '-f', '-k', baselineFile]);
    return seconds(started);
  };

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
  // Single runs on these machines vary by 20%: alternate the two, take the medians.
  const baselineRuns: number[] = [];
  const children: Array<ReturnType<typeof snapshotInChild>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselineRuns.push(baselineSnapshot());
    children.push(snapshotInChild([], 'bucket'));
  }
  const baselineSeconds = median(baselineRuns);
  const trellisSeconds = median(children.map((run) => run.seconds));
  const child = children.at(-1)!;
  const peakRss = median(children.map((run) => run.maxRssBytes));
  const rssAfterImports = median(children.map((run) => run.rssAfterImports));
  const databaseBytes = (await stat(baselineFile)).size;
  const smallHeapChild = snapshotInChild(['--max-semi-space-size=1'], 'bucket-small-heap');
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

  // A restore runs without the source etcd: stop it (and free its memory) first.
  client.close();
  await server.stop();

  // Baseline: etcdctl snapshot restore of the full snapshot alone (the floor), alternating with
  // Trellis' restore of the full snapshot and every delta; medians of the rounds.
  const restoreBaselineRuns: number[] = [];
  const restoreRuns: number[] = [];
  const phasesByRound: string[][] = [];
  let restored: Awaited<ReturnType<typeof restoreEtcd>> | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    // Each restore fsyncs a whole data directory: flush what the previous one left dirty first,
    // so neither side pays for the other's write-back.
    execFileSync('sync');
    let started = process.hrtime.bigint();
    execFileSync(
      'etcdctl',
      ['snapshot', 'restore', baselineFile, '--data-dir', join(work, `baseline-restore-${round}`)],
      { env: etcdEnvironment, stdio: 'ignore' },
    );
    restoreBaselineRuns.push(seconds(started));
    execFileSync('sync');
    started = process.hrtime.bigint();
    const roundPhases: string[] = [];
    const phase = (_object: Record<string, unknown>, message?: string) => {
      if (message && !message.startsWith('applied delta'))
        roundPhases.push(`${seconds(started).toFixed(2)} s ${message}`);
    };
    restored = await restoreEtcd({
      store,
      dataDirectory: join(work, `trellis-restore-${round}`),
      logger: { debug: phase, info: phase, warn: phase, error: phase },
    });
    const elapsed = seconds(started);
    restoreRuns.push(elapsed);
    roundPhases.push(`${elapsed.toFixed(2)} s done`);
    phasesByRound.push(roundPhases);
    // Each round leaves two 208 MiB data directories; kept, they pile up dirty pages and disk
    // traffic that slow later rounds (both sides, unevenly).
    await rm(join(work, `baseline-restore-${round}`), { recursive: true, force: true });
    await rm(join(work, `trellis-restore-${round}`), { recursive: true, force: true });
  }
  const restoreBaselineSeconds = median(restoreBaselineRuns);
  const restoreSeconds = median(restoreRuns);
  const phases = phasesByRound[restoreRuns.indexOf(restoreSeconds)]!;

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
    `${(peakRss / MIB).toFixed(1)} MiB`,
    `${(rssAfterImports / MIB).toFixed(1)} MiB`,
    peakRss < 128 * MIB ? 'MET' : 'MISSED',
  );
  row(
    '  same, node --max-semi-space-size=1',
    `${(smallHeapChild.maxRssBytes / MIB).toFixed(1)} MiB`,
    `${(smallHeapChild.rssAfterImports / MIB).toFixed(1)} MiB`,
    '-',
  );
  console.log('  (peak RSS of the snapshot process; baseline column: the same process after its imports)');
  row(
    `restore full + ${restored?.plan.deltas.length} deltas (vs etcdctl restore of full, target <= 2.5x)`,
    `${restoreSeconds.toFixed(2)} s`,
    `${restoreBaselineSeconds.toFixed(2)} s`,
    `${(restoreSeconds / restoreBaselineSeconds).toFixed(2)}x ${restoreSeconds / restoreBaselineSeconds <= 2.5 ? 'MET' : 'MISSED'}`,
  );
  console.log(`restore phases (a median round): ${phases.join('; ')}`);
  console.log(`(medians of ${ROUNDS} alternating rounds; TRELLIS_BENCH_ROUNDS to change)`);
  console.log(
    '(throughput ratio: higher is better, target >= 0.95x; restore ratio: time over the floor, lower is better)',
  );
} finally {
  client.close();
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
