import type { RetentionPolicy } from '@trellis/core';
import { type Command, Option } from 'commander';
import type { OpenedProvider } from '../cli-context.js';
import { parseDuration } from '../duration.js';
import { parseSection } from '../provider-sections.js';
import { parseCount } from './command-helpers.js';

/** The backup store of the provider, configured by the `backup` section of the config file. */
export function openBackupStore({ provider, config }: OpenedProvider) {
  return provider.backupStore(
    parseSection(provider.schemas.backupConfig, config.backup, 'backup', config.file),
  );
}

/** The options {@link withRetentionOptions} adds. */
export interface RetentionOptions {
  policy: 'Exponential' | 'LimitBased';
  maxBackups: string;
  deltaRetention: string;
}

/** Adds `--policy`, `--max-backups` and `--delta-retention` to a command. */
export function withRetentionOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--policy <policy>', 'retention policy')
        .choices(['Exponential', 'LimitBased'])
        .default('Exponential'),
    )
    .option('--max-backups <n>', 'full snapshots LimitBased keeps', '7')
    .option('--delta-retention <duration>', 'keep deltas younger than this (0, 30m, 1h, 7d)', '0');
}

/** The retention policy the options of {@link withRetentionOptions} describe. */
export function retentionFrom(options: RetentionOptions): RetentionPolicy {
  const deltaRetentionPeriodMs = parseDuration(options.deltaRetention, '--delta-retention');
  return options.policy === 'LimitBased'
    ? {
        policy: 'LimitBased',
        maxBackups: parseCount(options.maxBackups, '--max-backups'),
        deltaRetentionPeriodMs,
      }
    : { policy: 'Exponential', deltaRetentionPeriodMs };
}
