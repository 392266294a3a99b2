import { type ConfigSchema, defineConfigSchema, z } from '@trellis/core';
import { OSS_MIN_PART_SIZE } from './oss-backup-store.js';

/** The zod schema of the OSS backup config. */
export const alicloudBackupConfigShape = z.strictObject({
  /** The bucket (3-63 of lowercase letters, digits and hyphens). */
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be an OSS bucket name (3-63 of [a-z0-9-])'),
  /** Object prefix, as in etcd-backup-restore: snapshots go to `<prefix>/v2/<name>`. @default '' */
  prefix: z.string().default(''),
  /** Bytes per multipart part (at least 100 KiB). @default 8 MiB */
  partSize: z
    .number()
    .int()
    .min(OSS_MIN_PART_SIZE, 'must be at least 102400 (100 KiB)')
    .default(8 * 1024 * 1024),
  /** Parts uploaded at once; memory is about `partSize` × (`parallel` + 1). @default 4 */
  parallel: z.number().int().min(1).max(64).default(4),
});

/** The OSS backup config, as written by a user. */
export type AlicloudBackupConfig = z.input<typeof alicloudBackupConfigShape>;

/** The backup config as a Trellis config schema. */
export const alicloudBackupConfig: ConfigSchema<z.output<typeof alicloudBackupConfigShape>> =
  defineConfigSchema('OSS backup config', alicloudBackupConfigShape, { provider: 'alicloud' });
