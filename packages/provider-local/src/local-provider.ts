import type { InfrastructureStatus, ProviderDefinition, TrellisProvider } from '@trellis/core';
import { type LocalBackupConfig, localBackupConfig } from './local-backup-config.js';
import { createLocalBackupStore } from './local-backup-store.js';
import { LocalCloudResources, type LocalResource } from './local-cloud-resources.js';
import { type LocalInfrastructureConfig, localInfrastructureConfig } from './local-infrastructure-config.js';
import { createLocalInfrastructureProvider } from './local-infrastructure-provider.js';
import { type LocalMachineClass, localMachineClass } from './local-machine-class.js';
import { createLocalMachineProvider } from './local-machine-provider.js';
import { LOCAL_PROVIDER, type LocalProviderSettings, resolveLocalSettings } from './local-settings.js';

/** The region of the local provider when none is given: it has only this machine. */
export const LOCAL_DEFAULT_REGION = 'local';

/** The schemas of the config users write for the local provider. */
const LOCAL_SCHEMAS = {
  machineClass: localMachineClass,
  infrastructureConfig: localInfrastructureConfig,
  backupConfig: localBackupConfig,
};

/** The local provider: the three contracts plus a view of its local "cloud". */
export interface LocalProvider
  extends TrellisProvider<
    LocalMachineClass,
    LocalInfrastructureConfig,
    InfrastructureStatus,
    LocalBackupConfig
  > {
  /** Every infrastructure resource (network, subnet, security group) in the state directory, any owner. */
  inventory(): Promise<LocalResource[]>;
  /** The absolute state directory. */
  readonly stateDirectory: string;
}

/**
 * Creates the local provider. Machines are local process groups running their user data,
 * infrastructure is JSON state, backups are files. Needs no cloud account.
 *
 * @example
 * const local = createLocalProvider({ stateDirectory: '.trellis/local' });
 * await local.machines.createMachine({ cluster: 'demo', name: 'web-0', spec: {}, userData: 'exec node server.js' });
 */
export function createLocalProvider(settings: LocalProviderSettings = {}): LocalProvider {
  const resolved = resolveLocalSettings(settings);
  const cloud = new LocalCloudResources(resolved.stateDirectory);
  return {
    specificationVersion: 'v1',
    provider: LOCAL_PROVIDER,
    machines: createLocalMachineProvider(resolved),
    infrastructure: createLocalInfrastructureProvider(resolved, cloud),
    backupStore: (config) => createLocalBackupStore(config, resolved),
    schemas: LOCAL_SCHEMAS,
    defaultRegion: LOCAL_DEFAULT_REGION,
    inventory: () => cloud.list(),
    get stateDirectory() {
      return resolved.stateDirectory();
    },
  };
}

/** Lets tools load the local provider by its type name, `local`. */
export const providerDefinition: ProviderDefinition = {
  type: LOCAL_PROVIDER,
  schemas: LOCAL_SCHEMAS as unknown as TrellisProvider['schemas'],
  create: (settings) => createLocalProvider(settings as LocalProviderSettings),
};
