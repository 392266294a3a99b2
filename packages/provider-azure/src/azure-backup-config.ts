import { type ConfigSchema, defineConfigSchema, z } from '@trellis/core';

const MiB = 1024 * 1024;

/** The zod schema of the Azure Blob backup config. */
export const azureBackupConfigShape = z.strictObject({
  /** The container (3–63 characters: lowercase letters, digits, single hyphens). */
  container: z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a Blob container name'),
  /** Blob name prefix, as in etcd-backup-restore: snapshots go to `<prefix>/v2/<name>`. @default '' */
  prefix: z.string().default(''),
  /**
   * The storage account: a connection string (with the account key; never logged), or the account's
   * blob URL, reached with the provider's Entra ID credential.
   */
  account: z.union([
    z.strictObject({
      connectionString: z
        .string()
        .includes('AccountName=', { message: 'must be a storage connection string' }),
    }),
    z.strictObject({ url: z.url({ protocol: /^https?$/ }) }),
  ]),
  /** Bytes per staged block (memory per save: this times `concurrency` plus one). @default 8 MiB */
  blockSize: z
    .number()
    .int()
    .min(64 * 1024)
    .max(4000 * MiB)
    .default(8 * MiB),
  /** Blocks staged at once. @default 4 */
  concurrency: z.number().int().min(1).max(16).default(4),
  /** Tries per storage request (the SDK retries 5xx, `ServerBusy` and dropped connections). @default 8 */
  maxTries: z.number().int().min(1).max(20).default(8),
  /** First delay between tries, doubling per try, at most 60 s. @default 1000 */
  retryDelayMs: z.number().int().min(1).max(60_000).default(1000),
});

/** The Azure Blob backup config, as written by a user. */
export type AzureBackupConfig = z.input<typeof azureBackupConfigShape>;

/** The backup config as a Trellis config schema. */
export const azureBackupConfig: ConfigSchema<z.output<typeof azureBackupConfigShape>> = defineConfigSchema(
  'Azure Blob backup config',
  azureBackupConfigShape,
  { provider: 'azure' },
);
