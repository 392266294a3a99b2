// Where the examples run: the offline ARM fake and Azurite (default), or real Microsoft Azure.
import { type AzureProvider, type AzureProviderSettings, createAzureProvider } from '@trellis/provider-azure';
import { startArmFake, startAzurite } from '@trellis/provider-azure/testing';

/** The provider the examples use and what to stop afterwards. */
export interface AzureTarget {
  /** `fake` (offline) or `azure` (real Azure, with DefaultAzureCredential). */
  readonly mode: 'fake' | 'azure';
  readonly location: string;
  readonly provider: AzureProvider;
  /** How backups reach the storage account: Azurite's connection string offline, else the env's. */
  readonly storage: { connectionString: string } | { url: string };
  close(): Promise<void>;
}

/** True when the examples should use real Azure. */
export const live = process.env.TRELLIS_AZURE_LIVE === '1';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} to run this example against Azure (TRELLIS_AZURE_LIVE=1)`);
  return value;
}

/** Opens the target: real Azure when `TRELLIS_AZURE_LIVE=1`, else the offline fakes on 127.0.0.1. */
export async function openTarget(options: { storage?: boolean } = {}): Promise<AzureTarget> {
  if (live) {
    const location = process.env.TRELLIS_AZURE_LOCATION ?? 'westeurope';
    const provider = createAzureProvider({ subscriptionId: required('AZURE_SUBSCRIPTION_ID'), location });
    const connectionString = process.env.TRELLIS_AZURE_STORAGE_CONNECTION_STRING;
    return {
      mode: 'azure',
      location,
      provider,
      storage: !options.storage
        ? { url: '' }
        : connectionString
          ? { connectionString }
          : { url: required('TRELLIS_AZURE_BLOB_URL') },
      close: () => provider.close(),
    };
  }
  const location = 'westeurope';
  const arm = await startArmFake();
  const azurite = options.storage ? await startAzurite() : undefined;
  const settings: AzureProviderSettings = {
    subscriptionId: '00000000-0000-4000-8000-00000000e0a1',
    location,
    credentials: { token: 'offline' },
    endpoints: { resourceManager: arm.url },
    tlsCa: arm.ca,
    operationPollMs: 10,
  };
  const provider = createAzureProvider(settings);
  return {
    mode: 'fake',
    location,
    provider,
    storage: { connectionString: azurite?.connectionString ?? '' },
    async close() {
      await provider.close();
      await arm.close();
      await azurite?.close();
    },
  };
}

/** Prints one step of an example. */
export function step(text: string): void {
  console.log(`\n▸ ${text}`);
}

/** Prints a detail under a step. */
export function detail(text: string): void {
  console.log(`  ${text}`);
}
