import { parseSnapshotName } from '@trellis/core';
import { type Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { openBackupStore } from './backup-store-options.js';
import { withProgress } from './command-helpers.js';
import { registerGcCommand } from './gc-command.js';
import { openSnapshotSource, writeSnapshotData } from './snapshot-io.js';
import { formatSnapshots, type SnapshotOptions, snapshotFromOptions } from './snapshot-options.js';

/** Registers `trellis backup save|fetch|list|delete|gc`. */
export function registerBackupCommands(program: Command, context: CliContext): void {
  const backup = program
    .command('backup')
    .description('save, fetch, list, delete and garbage-collect etcd snapshots');
  const { signal } = context;

  backup
    .command('save [file]')
    .description("stream a file (or stdin: '-' or no file) into the backup store as one snapshot")
    .option('--name <snapshot>', 'the whole snapshot name, e.g. Full-00000000-00000042-1700000000.gz')
    .addOption(new Option('--kind <kind>', 'snapshot kind').choices(['Full', 'Incr']).default('Full'))
    .option('--start-revision <n>', 'first etcd revision covered', '0')
    .option('--last-revision <n>', 'last etcd revision covered (required without --name)')
    .option('--created <date>', 'creation time, ISO 8601 (default: now)')
    .option('--compressed', 'the data is gzip-compressed (name gets .gz)')
    .option('--final', 'a final snapshot taken on shutdown')
    .action(async (file: string | undefined, options: SnapshotOptions, command: Command) => {
      const snapshot = snapshotFromOptions(options, new Date());
      await context.withProvider(command, async (opened) => {
        const store = openBackupStore(opened);
        const source = await openSnapshotSource(context, file);
        const progress = context.progress(command, 'saving snapshot');
        const stored = await withProgress(
          progress,
          () => store.save(snapshot, source, { signal }),
          (result) => `saved ${result.name}`,
        );
        context.print(command, stored, () => formatSnapshots([stored]));
      });
    });

  backup
    .command('fetch <name> [file]')
    .description("stream a snapshot's bytes to a file (or stdout: '-' or no file)")
    .action(async (name: string, file: string | undefined, _options: unknown, command: Command) => {
      const snapshot = parseSnapshotName(name);
      await context.withProvider(command, async (opened) => {
        const data = await openBackupStore(opened).fetch(snapshot, { signal });
        const bytes = await writeSnapshotData(context, data, file);
        if (bytes === undefined) return;
        const output = { name: snapshot.name, file, bytes };
        context.print(command, output, () => `fetched ${snapshot.name} to ${file} (${bytes} bytes)\n`);
      });
    });

  backup
    .command('list')
    .description('list complete snapshots, ascending by last revision')
    .action(async (_options: unknown, command: Command) => {
      await context.withProvider(command, async (opened) => {
        const snapshots = await openBackupStore(opened).list({ signal });
        context.print(command, snapshots, () => formatSnapshots(snapshots));
      });
    });

  backup
    .command('delete <names...>')
    .description('delete snapshots by name (succeeds when already gone)')
    .action(async (names: string[], _options: unknown, command: Command) => {
      const snapshots = names.map((name) => parseSnapshotName(name));
      await context.withProvider(command, async (opened) => {
        const store = openBackupStore(opened);
        for (const snapshot of snapshots) await store.delete(snapshot, { signal });
        const deleted = snapshots.map((snapshot) => ({ name: snapshot.name, deleted: true }));
        context.print(command, deleted, () => deleted.map((item) => `deleted ${item.name}\n`).join(''));
      });
    });

  registerGcCommand(backup, context);
}
