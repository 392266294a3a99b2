import { type ConfigSchema, defineConfigSchema, z } from '@trellis/core';

/** The zod schema of the GCS backup config. */
export const gcpBackupConfigShape = z.strictObject({
  /** The bucket. */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a GCS bucket name'),
  /** Object prefix, as in etcd-backup-restore: snapshots go to `<prefix>/v2/<name>`. @default '' */
  prefix: z.string().default(''),
  /** Size of each resumable upload request, a multiple of 256 KiB. @default 8 MiB */
  chunkSize: z
    .number()
    .int()
    .positive()
    .refine((size) => size % (256 * 1024) === 0, 'must be a multiple of 256 KiB')
    .default(8 * 1024 * 1024),
});

/** The GCS backup config, as written by a user. */
export type GcpBackupConfig = z.input<typeof gcpBackupConfigShape>;

/** The backup config as a Trellis config schema. */
export const gcpBackupConfig: ConfigSchema<z.output<typeof gcpBackupConfigShape>> = defineConfigSchema(
  'GCS backup config',
  gcpBackupConfigShape,
  { provider: 'gcp' },
);
