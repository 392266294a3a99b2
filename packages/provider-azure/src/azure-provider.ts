import type { BackupStore, MachineProvider, ProviderDefinition, TrellisProvider } from '@trellis/core';
import { lazily, lazyBackupStore, lazyMachineProvider } from '@trellis/provider-kit';
import { type AzureBackupConfig, azureBackupConfig } from './azure-backup-config.js';
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
  return (await loadBlobStore()).ensureBlobContainer(await containerOf(provider.context, parsed));
}

/** The Azure provider, so far: VMs with their NICs and disks, and Blob backups. */
export interface AzureProvider {
  readonly specificationVersion: 'v1';
  readonly provider: 'azure';
  readonly defaultRegion: string;
  readonly context: AzureProviderContext;
  readonly machines: MachineProvider<AzureMachineClass>;
  /** A backup store in a Blob container; `@azure/storage-blob` loads on its first call. */
  backupStore(config: AzureBackupConfig): BackupStore;
  readonly schemas: {
    readonly machineClass: typeof azureMachineClass;
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
          }),
      });
    },
    schemas: { machineClass: azureMachineClass, backupConfig: azureBackupConfig },
    close: async () => {},
  };
}

/** Lets tools load the provider by type name (`trellis --provider azure`). */
export const providerDefinition: ProviderDefinition = {
  type: 'azure',
  create: (settings = {}) =>
    createAzureProvider(settings as AzureProviderSettings) as unknown as TrellisProvider,
};
