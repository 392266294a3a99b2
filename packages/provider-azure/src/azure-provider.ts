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
import { type AzureBackupConfig, azureBackupConfig } from './azure-backup-config.js';
import {
  type AzureInfrastructureConfig,
  azureInfrastructureConfigSchema,
} from './azure-infrastructure-config.js';
import type { AzureInfrastructureTiming } from './azure-infrastructure-provider.js';
import type { AzureInfrastructureStatus } from './azure-infrastructure-status.js';
import { checkAzureInfrastructureConfigUpdate } from './azure-infrastructure-update.js';
import {
  type AzureMachineClass,
  azureMachineClass,
  validateAzureMachineSpec,
} from './azure-machine-class.js';
import {
  type AzureProviderContext,
  type AzureProviderSettings,
  createAzureProviderContext,
} from './azure-settings.js';

/** The Azure machine provider; the ARM SDKs load on its first call. */
export function createAzureMachineProvider(
  context: AzureProviderContext,
): MachineProvider<AzureMachineClass> {
  return lazyMachineProvider({
    provider: 'azure',
    validateSpec: (spec) => validateAzureMachineSpec(spec, context.location),
    load: async () => (await import('./azure-machine-provider.js')).createAzureMachineProvider(context),
  });
}

/**
 * The Azure infrastructure provider (Gardener's Azure Infrastructure actuator): the cluster's
 * resource group, VNet, route table, security group, NAT gateways and subnets, as a graph of
 * idempotent steps with the state saved after each. The network and resources SDKs load on the
 * first reconcile or delete. `timing` shrinks step retries in tests.
 */
export function createAzureInfrastructureProvider(
  context: AzureProviderContext,
  timing?: Partial<AzureInfrastructureTiming>,
): InfrastructureProvider<AzureInfrastructureConfig, AzureInfrastructureStatus> {
  return lazyInfrastructureProvider<AzureInfrastructureConfig, AzureInfrastructureStatus>({
    provider: 'azure',
    validateConfig: (config) => azureInfrastructureConfigSchema.parse(config),
    load: async () =>
      (await import('./azure-infrastructure-provider.js')).createAzureInfrastructureProvider(context, timing),
  });
}

/** How a backup store reaches its container: the config's account, or the provider's Entra ID credential. */
async function containerOf(
  context: AzureProviderContext,
  config: ReturnType<typeof azureBackupConfig.parse>,
) {
  if ('connectionString' in config.account)
    return { connectionString: config.account.connectionString, name: config.container };
  const { credentialOf } = await import('./azure-credentials.js');
  return { url: config.account.url, name: config.container, credential: credentialOf(context) };
}

const loadBlobStore = lazily('Azure Blob backups', 'azure', () => import('./blob-backup-store.js'));

/**
 * Creates the backup container when missing (private), idempotently; resolves whether it was
 * created. `@azure/storage-blob` loads on the first call.
 */
export async function ensureBlobContainer(
  provider: { readonly context: AzureProviderContext },
  config: AzureBackupConfig,
): Promise<{ created: boolean }> {
  const parsed = azureBackupConfig.parse(config);
  return (await loadBlobStore()).ensureBlobContainer(await containerOf(provider.context, parsed), {
    maxTries: parsed.maxTries,
    retryDelayMs: parsed.retryDelayMs,
  });
}

/** The Azure provider: VMs with their NICs and disks, resource-group infrastructure, Blob backups. */
export interface AzureProvider
  extends TrellisProvider<
    AzureMachineClass,
    AzureInfrastructureConfig,
    AzureInfrastructureStatus,
    AzureBackupConfig
  > {
  readonly provider: 'azure';
  readonly defaultRegion: string;
  readonly context: AzureProviderContext;
  readonly schemas: {
    readonly machineClass: typeof azureMachineClass;
    readonly infrastructureConfig: typeof azureInfrastructureConfigSchema;
    readonly backupConfig: typeof azureBackupConfig;
  };
  close(): Promise<void>;
}

/**
 * Creates the Azure provider. Credentials: `settings.credentials` (a client secret, a static token,
 * a `TokenCredential`), else `DefaultAzureCredential` on first use.
 */
export function createAzureProvider(settings: AzureProviderSettings): AzureProvider {
  const context = createAzureProviderContext(settings);
  return {
    specificationVersion: 'v1',
    provider: 'azure',
    defaultRegion: context.location,
    context,
    machines: createAzureMachineProvider(context),
    infrastructure: createAzureInfrastructureProvider(context),
    backupStore(config: AzureBackupConfig) {
      const parsed = azureBackupConfig.parse(config);
      return lazyBackupStore({
        provider: 'azure',
        load: async () =>
          (await loadBlobStore()).createBlobBackupStore({
            container: await containerOf(context, parsed),
            prefix: parsed.prefix,
            blockSize: parsed.blockSize,
            concurrency: parsed.concurrency,
            retry: { maxTries: parsed.maxTries, retryDelayMs: parsed.retryDelayMs },
          }),
      });
    },
    schemas: {
      machineClass: azureMachineClass,
      infrastructureConfig: azureInfrastructureConfigSchema,
      backupConfig: azureBackupConfig,
    },
    close: () => context.clients.close(),
  };
}

/** Lets tools load the provider by type name (`trellis --provider azure`). */
export const providerDefinition: ProviderDefinition = {
  type: 'azure',
  create: (settings = {}) =>
    createAzureProvider(settings as AzureProviderSettings) as unknown as TrellisProvider,
  schemas: {
    machineClass: azureMachineClass,
    infrastructureConfig: azureInfrastructureConfigSchema,
    backupConfig: azureBackupConfig,
  } as unknown as TrellisProvider['schemas'],
  checkInfrastructureConfigUpdate: (previous, next) =>
    checkAzureInfrastructureConfigUpdate(
      previous as AzureInfrastructureConfig,
      next as AzureInfrastructureConfig,
    ),
};
