import { invalidArgument, type Logger } from '@trellis/core';
import { type Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { parseDuration } from '../duration.js';
import {
  openBackupStore,
  type RetentionOptions,
  retentionFrom,
  withRetentionOptions,
} from './backup-store-options.js';
import { parseCount, withProgress } from './command-helpers.js';
import { registerGcCommand } from './gc-command.js';
import { formatSnapshots } from './snapshot-options.js';

/** etcd support loads on first use, so other commands work even where it cannot load. */
function etcdBackup() {
  return import('@trellis/etcd-backup');
}

function withEndpoints(command: Command): Command {
  return command.addOption(
    new Option('--endpoints <urls>', 'etcd client URLs, comma-separated')
      .env('ETCDCTL_ENDPOINTS')
      .default('http://127.0.0.1:2379'),
  );
}

function endpointsOf(value: string): string[] {
  const endpoints = value
    .split(',')
    .map((endpoint) => endpoint.trim())
    .filter(Boolean);
  if (endpoints.length === 0) {
    throw invalidArgument('no etcd endpoints', [
      { path: '--endpoints', message: 'must list at least one URL' },
    ]);
  }
  return endpoints;
}

/** Logs to stderr as JSON lines (never credentials: only snapshot names, revisions and errors). */
function stderrLogger(context: CliContext): Logger {
  const write = (level: string) => (object: Record<string, unknown>, message?: string) =>
    context.io.stderr.write(
      `${JSON.stringify({ level, time: new Date().toISOString(), message, ...object })}\n`,
    );
  return { debug: () => {}, info: write('info'), warn: write('warn'), error: write('error') };
}

/** Registers `trellis etcd snapshot|run|restore|list|gc`. */
export function registerEtcdCommands(program: Command, context: CliContext): void {
  const etcd = program
    .command('etcd')
    .description('back up a running etcd (full and delta snapshots), restore it, apply retention');
  const { signal } = context;

  withEndpoints(etcd.command('snapshot'))
    .description('take one snapshot now: a delta of the changes since the last one, or a full one')
    .option('--full', 'take a full snapshot')
    .option('--delta', 'take a delta snapshot (a full one when the store has none)')
    .action(async (options: { endpoints: string; full?: boolean; delta?: boolean }, command: Command) => {
      if (options.full && options.delta) {
        throw invalidArgument('conflicting options', [
          { path: '--full', message: 'give --full or --delta, not both' },
        ]);
      }
      const { createEtcdClient, Snapshotter } = await etcdBackup();
      const client = createEtcdClient({ endpoints: endpointsOf(options.endpoints) });
      try {
        await context.withProvider(command, async (opened) => {
          const snapshotter = new Snapshotter({ client, store: openBackupStore(opened), retention: false });
          const progress = context.progress(command, 'taking snapshot');
          const snapshot = await withProgress(progress, () =>
            options.full ? snapshotter.takeFullSnapshot() : snapshotter.takeDeltaSnapshot(),
          );
          const output = snapshot ?? { skipped: true, reason: 'no changes since the last snapshot' };
          context.print(command, output, () =>
            snapshot ? formatSnapshots([snapshot]) : 'no changes since the last snapshot: nothing saved\n',
          );
        });
      } finally {
        client.close();
      }
    });

  withRetentionOptions(withEndpoints(etcd.command('run')))
    .description('take full snapshots on a schedule and deltas every period until stopped (Ctrl-C)')
    .option('--full-schedule <schedule>', 'interval (1h, 30m) or 5-field cron expression (UTC)', '1h')
    .option('--delta-period <duration>', 'delta snapshot period; 0 disables deltas', '20s')
    .option('--final', 'take a final full snapshot when stopped')
    .action(
      async (
        options: RetentionOptions & {
          endpoints: string;
          fullSchedule: string;
          deltaPeriod: string;
          final?: boolean;
        },
        command: Command,
      ) => {
        const schedule = !/\s/.test(options.fullSchedule.trim())
          ? parseDuration(options.fullSchedule, '--full-schedule')
          : options.fullSchedule;
        const deltaSnapshotPeriodMs = parseDuration(options.deltaPeriod, '--delta-period');
        const retention = retentionFrom(options);
        const { createEtcdClient, Snapshotter } = await etcdBackup();
        const client = createEtcdClient({ endpoints: endpointsOf(options.endpoints) });
        try {
          await context.withProvider(command, async (opened) => {
            const snapshotter = new Snapshotter({
              client,
              store: openBackupStore(opened),
              fullSnapshotSchedule: schedule,
              deltaSnapshotPeriodMs,
              retention,
              logger: stderrLogger(context),
            });
            snapshotter.on('snapshot-saved', (snapshot) =>
              context.print(command, snapshot, () => `saved ${snapshot.name}\n`),
            );
            snapshotter.on('gc-deleted', (snapshot) =>
              context.print(command, { deleted: snapshot.name }, () => `deleted ${snapshot.name}\n`),
            );
            snapshotter.start();
            await new Promise<void>((resolve) => {
              if (signal.aborted) resolve();
              signal.addEventListener('abort', () => resolve(), { once: true });
            });
            await snapshotter.stop({ finalSnapshot: options.final === true });
          });
        } finally {
          client.close();
        }
      },
    );

  etcd
    .command('restore')
    .description('restore the newest state (or the state at --revision / --time) into a new data directory')
    .requiredOption('--data-dir <directory>', 'the new etcd data directory (must not exist)')
    .option('--revision <n>', 'restore the state at this revision')
    .option('--time <date>', 'use only snapshots created at or before this time (ISO 8601)')
    .option('--name <member>', 'member name', 'default')
    .option('--initial-cluster <cluster>', 'initial cluster (default: <name>=<peer URL>)')
    .option('--initial-advertise-peer-urls <urls>', 'peer URLs of the member', 'http://localhost:2380')
    .option('--initial-cluster-token <token>', 'initial cluster token', 'etcd-cluster')
    .option('--fetch-concurrency <n>', 'deltas fetched in parallel', '4')
    .option('--fetch-ahead-mib <n>', 'MiB of (stored) deltas held fetched ahead of the one applying', '64')
    .action(
      async (
        options: {
          dataDir: string;
          revision?: string;
          time?: string;
          name: string;
          initialCluster?: string;
          initialAdvertisePeerUrls: string;
          initialClusterToken: string;
          fetchConcurrency: string;
          fetchAheadMib: string;
        },
        command: Command,
      ) => {
        const time = options.time ? new Date(options.time) : undefined;
        if (time && Number.isNaN(time.getTime())) {
          throw invalidArgument('invalid time', [
            { path: '--time', message: `"${options.time}" is not an ISO 8601 date` },
          ]);
        }
        const { restoreEtcd } = await etcdBackup();
        await context.withProvider(command, async (opened) => {
          const progress = context.progress(command, 'restoring etcd');
          const result = await withProgress(progress, () =>
            restoreEtcd({
              store: openBackupStore(opened),
              dataDirectory: context.resolvePath(options.dataDir),
              ...(options.revision === undefined
                ? {}
                : { revision: parseCount(options.revision, '--revision') }),
              ...(time ? { time } : {}),
              name: options.name,
              ...(options.initialCluster ? { initialCluster: options.initialCluster } : {}),
              initialAdvertisePeerUrls: options.initialAdvertisePeerUrls,
              initialClusterToken: options.initialClusterToken,
              fetchConcurrency: parseCount(options.fetchConcurrency, '--fetch-concurrency'),
              fetchAheadBytes: parseCount(options.fetchAheadMib, '--fetch-ahead-mib') * 1024 * 1024,
              signal,
            }),
          );
          const output = {
            dataDirectory: context.resolvePath(options.dataDir),
            revision: result.revision,
            full: result.plan.full.name,
            deltas: result.plan.deltas.map((delta) => delta.name),
          };
          context.print(
            command,
            output,
            () =>
              `restored ${output.dataDirectory} at revision ${output.revision} from ${output.full} and ${output.deltas.length} delta snapshot(s)\n`,
          );
        });
      },
    );

  etcd
    .command('list')
    .description('list the snapshots in the store, ascending by revision')
    .action(async (_options: unknown, command: Command) => {
      await context.withProvider(command, async (opened) => {
        const snapshots = await openBackupStore(opened).list({ signal });
        context.print(command, snapshots, () => formatSnapshots(snapshots));
      });
    });

  registerGcCommand(etcd, context);
}
