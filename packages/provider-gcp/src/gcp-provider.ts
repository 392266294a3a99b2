import type { Storage } from '@google-cloud/storage';
import {
  type InfrastructureStatus,
  type MachineProvider,
  type ProviderDefinition,
  TrellisError,
  type TrellisProvider,
} from '@trellis/core';
import { lazily, lazyBackupStore, lazyMachineProvider } from '@trellis/provider-kit';
import { type GcpBackupConfig, gcpBackupConfig } from './gcp-backup-config.js';
import { type GcpMachineClass, gcpMachineClass, validateGcpMachineSpec } from './gcp-machine-class.js';
import {
  createGcpProviderContext,
  type GcpClientOptions,
  type GcpProviderContext,
  type GcpProviderSettings,
} from './gcp-settings.js';
import type { EnsureGcsBucketOptions } from './gcs-ensure-bucket.js';

/**
 * The GCE machine provider; `@google-cloud/compute` loads on its first call.
 */
export function createGcpMachineProvider(context: GcpProviderContext): MachineProvider<GcpMachineClass> {
  return lazyMachineProvider({
    provider: 'gcp',
    validateSpec: (spec) => validateGcpMachineSpec(spec, context.region),
    load: async () => (await import('./gcp-machine-provider.js')).createGcpMachineProvider(context),
  });
}

const notYet = (what: string) =>
  new TrellisError({
    code: 'Unimplemented',
    provider: 'gcp',
    message: `the GCP provider has no ${what} yet`,
  });

/** The GCP provider: GCE machines and GCS backups. Infrastructure is not built yet (`Unimplemented`). */
export interface GcpProvider
  extends TrellisProvider<GcpMachineClass, unknown, InfrastructureStatus, GcpBackupConfig> {
  readonly context: GcpProviderContext;
  close(): Promise<void>;
}

/**
 * Creates the GCP provider. Credentials: `settings.credentials` (a service account key, a key file,
 * or `'none'` for a fake), else Application Default Credentials on first use.
 */
export function createGcpProvider(settings: GcpProviderSettings): GcpProvider {
  const context = createGcpProviderContext(settings);
  const unsupportedSchema = gcpMachineClass as never;
  return {
    specificationVersion: 'v1',
    provider: 'gcp',
    context,
    machines: createGcpMachineProvider(context),
    infrastructure: {
      specificationVersion: 'v1',
      provider: 'gcp',
      validateConfig: () => {
        throw notYet('infrastructure provider');
      },
      reconcile: async () => {
        throw notYet('infrastructure provider');
      },
      delete: async () => {
        throw notYet('infrastructure provider');
      },
    },
    backupStore(config: GcpBackupConfig) {
      const parsed = gcpBackupConfig.parse(config);
      return lazyBackupStore({
        provider: 'gcp',
        load: async () =>
          (await import('./gcs-backup-store.js')).createGcsBackupStore({
            storage: context.clients.options,
            ...parsed,
          }),
      });
    },
    schemas: {
      machineClass: gcpMachineClass,
      infrastructureConfig: unsupportedSchema,
      backupConfig: gcpBackupConfig,
    },
    close: () => context.clients.close(),
  };
}

const loadEnsureBucket = lazily(
  'GCS bucket setup',
  'gcp',
  async () => (await import('./gcs-ensure-bucket.js')).ensureGcsBucket,
);

/**
 * Creates the backup bucket when missing (uniform bucket-level access, public access prevention,
 * lifecycle rules) or patches those settings into an existing one. Pass the provider's
 * `context.clients.options` or a `Storage` client.
 */
export async function ensureGcsBucket(
  storage: Storage | GcpClientOptions,
  name: string,
  options?: EnsureGcsBucketOptions,
): Promise<{ created: boolean }> {
  return (await loadEnsureBucket())(storage, name, options);
}

/** Lets tools load the provider by type name (`trellis --provider gcp`). */
export const providerDefinition: ProviderDefinition = {
  type: 'gcp',
  create: (settings = {}) => createGcpProvider(settings as GcpProviderSettings) as unknown as TrellisProvider,
};
