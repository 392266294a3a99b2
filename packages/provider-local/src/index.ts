export type { LocalBackupConfig } from './local-backup-config.js';
export { localBackupConfig } from './local-backup-config.js';
export type { LocalResource } from './local-cloud-resources.js';
export type { LocalInfrastructureConfig } from './local-infrastructure-config.js';
export { localInfrastructureConfig } from './local-infrastructure-config.js';
export type { LocalInfrastructureProvider } from './local-infrastructure-provider.js';
export type { LocalMachineClass } from './local-machine-class.js';
export { localMachineClass } from './local-machine-class.js';
export { LOCAL_MAX_USER_DATA_BYTES, type LocalMachineProvider } from './local-machine-provider.js';
export {
  createLocalProvider,
  LOCAL_DEFAULT_REGION,
  type LocalProvider,
  providerDefinition,
} from './local-provider.js';
export { LOCAL_PROVIDER, type LocalProviderSettings } from './local-settings.js';
