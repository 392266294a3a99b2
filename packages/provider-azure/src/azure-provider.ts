import type { MachineProvider, ProviderDefinition, TrellisProvider } from '@trellis/core';
import { lazyMachineProvider } from '@trellis/provider-kit';
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

/** The Azure provider, so far: VMs with their NICs and disks. */
export interface AzureProvider {
  readonly specificationVersion: 'v1';
  readonly provider: 'azure';
  readonly defaultRegion: string;
  readonly context: AzureProviderContext;
  readonly machines: MachineProvider<AzureMachineClass>;
  readonly schemas: { readonly machineClass: typeof azureMachineClass };
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
    schemas: { machineClass: azureMachineClass },
    close: async () => {},
  };
}

/** Lets tools load the provider by type name (`trellis --provider azure`). */
export const providerDefinition: ProviderDefinition = {
  type: 'azure',
  create: (settings = {}) =>
    createAzureProvider(settings as AzureProviderSettings) as unknown as TrellisProvider,
};
