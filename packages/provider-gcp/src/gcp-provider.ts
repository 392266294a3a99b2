import type { Storage } from '@google-cloud/storage';
import type {
  InfrastructureProvider,
  MachineProvider,
  ProviderDefinition,
  TrellisProvider,
} from '@trellis/core';
import {
  lazily,
  lazyBackupStore,
  lazyInfrastructureProvider,
  lazyMachineProvider,
} from '@trellis/provider-kit';
import { type GcpBackupConfig, gcpBackupConfig } from './gcp-backup-config.js';
import { type GcpInfrastructureConfig, gcpInfrastructureConfigSchema } from './gcp-infrastructure-config.js';
import type { GcpInfrastructureStatus } from './gcp-infrastructure-status.js';
import type { GcpInfrastructureTiming } from './gcp-infrastructure-timing.js';
import { checkGcpInfrastructureConfigUpdate } from './gcp-infrastructure-update.js';
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

/**
 * The GCP infrastructure provider (Gardener's GCP Infrastructure actuator): the cluster's VPC
 * network, subnets, Cloud Router, Cloud NAT, firewall rules and nodes' service account, as a graph of
 * idempotent steps with the state saved after each; delete removes exactly what it made. The
 * compute and IAM SDKs load on the first reconcile or delete. `timing` shrinks retries in tests.
 */
export function createGcpInfrastructureProvider(
  context: GcpProviderContext,
  timing?: Partial<GcpInfrastructureTiming>,
): InfrastructureProvider<GcpInfrastructureConfig, GcpInfrastructureStatus> {
  return lazyInfrastructureProvider<GcpInfrastructureConfig, GcpInfrastructureStatus>({
    provider: 'gcp',
    validateConfig: (config) => gcpInfrastructureConfigSchema.parse(config),
    load: async () =>
      (await import('./gcp-infrastructure-provider.js')).createGcpInfrastructureProvider(context, timing),
  });
}

/** The GCP provider: GCE machines, VPC infrastructure with Cloud NAT, GCS backups. */
export interface GcpProvider
  extends TrellisProvider<
    GcpMachineClass,
    GcpInfrastructureConfig,
    GcpInfrastructureStatus,
    GcpBackupConfig
  > {
  readonly context: GcpProviderContext;
  close(): Promise<void>;
}

/**
 * Creates the GCP provider. Credentials: `settings.credentials` (a service account key, a key file,
 * or `'none'` for a fake), else Application Default Credentials on first use.
 */
export function createGcpProvider(settings: GcpProviderSettings): GcpProvider {
  const context = createGcpProviderContext(settings);
  return {
    specificationVersion: 'v1',
    provider: 'gcp',
    // The region of the settings: what the CLI uses when a config names none.
    defaultRegion: context.region,
    context,
    machines: createGcpMachineProvider(context),
    infrastructure: createGcpInfrastructureProvider(context),
    backupStore(config: GcpBackupConfig) {
      const parsed = gcpBackupConfig.parse(config);
      return lazyBackupStore({
        provider: 'gcp',
        load: async () =>
          (await import('./gcs-backup-store.js')).createGcsBackupStore({
            storage: context.settings.clients?.storage ?? context.clients.options,
            ...parsed,
          }),
      });
    },
    schemas: {
      machineClass: gcpMachineClass,
      infrastructureConfig: gcpInfrastructureConfigSchema,
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
  schemas: {
    machineClass: gcpMachineClass,
    infrastructureConfig: gcpInfrastructureConfigSchema,
    backupConfig: gcpBackupConfig,
  } as unknown as TrellisProvider['schemas'],
  checkInfrastructureConfigUpdate: (previous, next) =>
    checkGcpInfrastructureConfigUpdate(previous as GcpInfrastructureConfig, next as GcpInfrastructureConfig),
};
