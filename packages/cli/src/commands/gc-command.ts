import { selectSnapshotsToDelete } from '@trellis/core';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import {
  openBackupStore,
  type RetentionOptions,
  retentionFrom,
  withRetentionOptions,
} from './backup-store-options.js';
import { withProgress } from './command-helpers.js';
import { formatSnapshots } from './snapshot-options.js';

/** Registers `<parent> gc`: the one garbage collection of `trellis backup gc` and `trellis etcd gc`. */
export function registerGcCommand(parent: Command, context: CliContext): void {
  const { signal } = context;
  withRetentionOptions(parent.command('gc'))
    .description("delete the snapshots a retention policy selects (etcd-backup-restore's rules)")
    .option('--dry-run', 'only show what would be deleted')
    .action(async (options: RetentionOptions & { dryRun?: boolean }, command: Command) => {
      const policy = retentionFrom(options);
      await context.withProvider(command, async (opened) => {
        const store = openBackupStore(opened);
        const selected = selectSnapshotsToDelete(await store.list({ signal }), policy, new Date());
        const progress = context.progress(command, `deleting ${selected.length} snapshots`);
        await withProgress(progress, async () => {
          if (options.dryRun) return;
          for (const snapshot of selected) await store.delete(snapshot, { signal });
        });
        const output = { policy, dryRun: options.dryRun === true, deleted: selected };
        const verb = options.dryRun ? 'would delete' : 'deleted';
        context.print(command, output, () =>
          selected.length === 0 ? 'nothing to delete\n' : `${verb}:\n${formatSnapshots(selected)}`,
        );
      });
    });
}
