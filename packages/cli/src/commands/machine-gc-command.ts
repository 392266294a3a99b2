import { collectOrphanMachines, type Machine, type OrphanMachine } from '@trellis/core';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { parseDuration } from '../duration.js';
import { formatTable, type TableColumn } from '../output-format.js';
import { assertDns1123, readTextInput, withProgress } from './command-helpers.js';

interface GcOptions {
  keep?: string[];
  known?: string;
  minAge: string;
  yes?: boolean;
}

/** One orphan and what the collection did with it. */
interface GcRow {
  readonly name: string;
  readonly reason: OrphanMachine['reason'];
  readonly phase: Machine['phase'];
  readonly ageSeconds: number;
  readonly providerId: string;
  readonly action: 'would delete' | 'deleted' | 'kept (too young)';
}

const COLUMNS: readonly TableColumn<GcRow>[] = [
  { header: 'NAME', value: (row) => row.name },
  { header: 'REASON', value: (row) => row.reason },
  { header: 'PHASE', value: (row) => row.phase },
  { header: 'AGE', value: (row) => formatAge(row.ageSeconds) },
  { header: 'PROVIDER ID', value: (row) => row.providerId },
  { header: 'ACTION', value: (row) => row.action },
];

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers `trellis machine gc`: the orphan collection, a dry run unless `--yes`. */
export function registerMachineGcCommand(machine: Command, context: CliContext): void {
  const { signal } = context;
  machine
    .command('gc')
    .description(
      "find (and with --yes delete) the cluster's machines nothing accounts for, and what failed deletes left behind",
    )
    .option('--keep <name>', 'a machine that is accounted for (repeatable)', collect)
    .option(
      '--known <file>',
      "a file of machine names that are accounted for, one per line ('-' reads stdin)",
    )
    .option('--min-age <duration>', 'never delete machines younger than this (still being created)', '10m')
    .option('--yes', 'delete the orphans (default: only list them)')
    .action(async (options: GcOptions, command: Command) => {
      const minAgeMs = parseDuration(options.minAge, '--min-age');
      const known = new Set(options.keep ?? []);
      if (options.known) {
        const text = await readTextInput(context, options.known, '--known');
        for (const line of text.split('\n').map((entry) => entry.trim()))
          if (line && !line.startsWith('#')) known.add(line);
      }
      for (const name of known) assertDns1123(name, '--keep', 'machine name');
      await context.withProvider(command, async ({ provider, config }) => {
        const cluster = context.requireCluster(config);
        const progress = context.progress(command, `collecting the orphans of cluster ${cluster}`);
        const orphans = await withProgress(
          progress,
          () =>
            collectOrphanMachines(provider.machines, {
              cluster,
              accountedFor: known,
              minAgeMs,
              dryRun: !options.yes,
              signal,
            }),
          (found) => `${found.filter((orphan) => orphan.deleted).length} orphans deleted`,
        );
        const rows: GcRow[] = [];
        for (const orphan of orphans) {
          const { machine: found } = orphan;
          const action: GcRow['action'] = orphan.deleted
            ? 'deleted'
            : orphan.tooYoung
              ? 'kept (too young)'
              : 'would delete';
          rows.push({
            name: found.name,
            reason: orphan.reason,
            phase: found.phase,
            ageSeconds: Math.floor(orphan.ageMs / 1000),
            providerId: found.providerId,
            action,
          });
        }
        const output = { cluster, dryRun: !options.yes, minAgeMs, orphans: rows };
        context.print(command, output, () =>
          rows.length === 0
            ? `no orphans in cluster ${cluster}\n`
            : `${formatTable(rows, COLUMNS)}${options.yes ? '' : '(a dry run: --yes deletes what says "would delete")\n'}`,
        );
      });
    });
}
