import { type ConfigSchema, defineConfigSchema, z } from '@trellis/core';

const MEBIBYTE = 1024 * 1024;

/** The zod schema of {@link AwsBackupConfig}. */
export const awsBackupConfigShape = z.strictObject({
  /** The bucket (it must exist; see `ensureBucket`). */
  bucket: z
    .string({ error: 'is required' })
    .min(3, 'must be 3 to 63 characters')
    .max(63, 'must be 3 to 63 characters')
    .regex(
      /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
      'must be a valid S3 bucket name (lower case letters, digits, . and -)',
    ),
  /** Key prefix; snapshots live under `<prefix>/v2/`. @default '' */
  prefix: z.string().default(''),
  /** Bytes per multipart upload part (at least 5 MiB). @default 16 MiB */
  partSize: z
    .number()
    .int()
    .min(5 * MEBIBYTE, 'must be at least 5 MiB')
    .optional(),
  /** Parts uploaded in parallel. @default 4 */
  queueSize: z.number().int().min(1).max(64).optional(),
  /**
   * Record each snapshot's SHA-256 as an object tag and verify it on fetch. Turn off only for an
   * S3-compatible server without object tagging. @default true
   */
  checksumTag: z.boolean().optional(),
});

/** Where `createAwsProvider(...).backupStore(config)` keeps snapshots. */
export type AwsBackupConfig = z.output<typeof awsBackupConfigShape>;

/** The backup config as a Trellis config schema. */
export const awsBackupConfig: ConfigSchema<AwsBackupConfig> = defineConfigSchema(
  'AWS backup config',
  awsBackupConfigShape,
  { provider: 'aws' },
);
