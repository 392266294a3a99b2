import { defineConfigSchema, z } from '@trellis/core';
import { LOCAL_PROVIDER } from './local-settings.js';

const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** The zod schema of the local backup config. */
export const localBackupConfigSchema = z.strictObject({
  /**
   * Directory holding the snapshots; relative paths resolve against `process.cwd()` on first use.
   * @default '<stateDirectory>/backups'
   */
  directory: z.string().min(1, 'must not be empty').optional(),
  /** Object prefix, as in etcd-backup-restore: snapshots go to `<directory>/<prefix>/v2/<name>`. @default '' */
  prefix: z
    .string()
    .refine(
      (prefix) =>
        prefix === '' ||
        prefix
          .replace(/\/+$/, '')
          .split('/')
          .every((segment) => SEGMENT.test(segment)),
      'must be "/"-separated segments of letters, digits, ".", "_" and "-" (no "..", not absolute)',
    )
    .default(''),
});

/** The local backup config: `{ directory?: string, prefix?: string }`. */
export type LocalBackupConfig = z.input<typeof localBackupConfigSchema>;

/** The local backup config as a config schema (validation with field paths, JSON Schema). */
export const localBackupConfig = defineConfigSchema('local backup config', localBackupConfigSchema, {
  provider: LOCAL_PROVIDER,
});
