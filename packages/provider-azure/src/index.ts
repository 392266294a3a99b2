export {
  ARM_DEFAULT_RATE_LIMITS,
  ARM_RATE_LIMITS,
  type AzureApi,
  type AzureRateLimitClass,
  type AzureRateLimits,
  azureActionCharges,
  createAzureApi,
} from './azure-api.js';
export { type AzureBackupConfig, azureBackupConfig, azureBackupConfigShape } from './azure-backup-config.js';
export { armErrorCodes, azureErrorCode, redactSecrets, toTrellisError } from './azure-errors.js';
export {
  type AzureInfrastructureConfig,
  azureInfrastructureConfigSchema,
  azureInfrastructureConfigShape,
} from './azure-infrastructure-config.js';
export type { AzureInfrastructureTiming } from './azure-infrastructure-provider.js';
export type { AzureInfrastructureStatus, AzureSubnetStatus } from './azure-infrastructure-status.js';
export { checkAzureInfrastructureConfigUpdate } from './azure-infrastructure-update.js';
export {
  type AzureImageReference,
  type AzureMachineClass,
  azureMachineClass,
  azureMachineClassShape,
  validateAzureMachineSpec,
} from './azure-machine-class.js';
export { azureNames } from './azure-machine-names.js';
export { azureNodeProviderId } from './azure-machine-view.js';
export {
  type AzureProvider,
  createAzureInfrastructureProvider,
  createAzureMachineProvider,
  createAzureProvider,
  ensureBlobContainer,
  providerDefinition,
} from './azure-provider.js';
export {
  AZURE_CLOUDS,
  AzureClients,
  type AzureProviderContext,
  type AzureProviderSettings,
  azureProviderSettingsSchema,
  createAzureProviderContext,
  type ResolvedAzureProviderSettings,
  resolveAzureProviderSettings,
} from './azure-settings.js';
