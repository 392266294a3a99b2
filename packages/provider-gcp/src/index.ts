export {
  createGcpApi,
  GCE_DEFAULT_RATE_LIMITS,
  type GcpApi,
  type GcpRateLimitClass,
  type GcpRateLimits,
  gcpActionCharges,
} from './gcp-api.js';
export { type GcpBackupConfig, gcpBackupConfig, gcpBackupConfigShape } from './gcp-backup-config.js';
export { gcpErrorCode, operationError, redactSecrets, toTrellisError } from './gcp-errors.js';
export {
  type GcpInfrastructureConfig,
  gcpInfrastructureConfigSchema,
  gcpInfrastructureConfigShape,
} from './gcp-infrastructure-config.js';
export type { GcpInfrastructureStatus, GcpSubnetStatus } from './gcp-infrastructure-status.js';
export {
  DEFAULT_GCP_INFRASTRUCTURE_TIMING,
  type GcpInfrastructureTiming,
} from './gcp-infrastructure-timing.js';
export { checkGcpInfrastructureConfigUpdate } from './gcp-infrastructure-update.js';
export {
  GCP_DISK_TYPES,
  GCP_MIN_DISK_SIZE_GB,
  GCP_SCRATCH_DISK_SIZE_GB,
  type GcpMachineClass,
  gcpMachineClass,
  gcpMachineClassSchema,
  gcpMachineClassShape,
  validateGcpMachineSpec,
} from './gcp-machine-class.js';
export {
  createGcpInfrastructureProvider,
  createGcpMachineProvider,
  createGcpProvider,
  ensureGcsBucket,
  type GcpProvider,
  providerDefinition,
} from './gcp-provider.js';
export {
  computeClientOptions,
  createGcpProviderContext,
  type GcpClientOptions,
  GcpClients,
  type GcpProviderContext,
  type GcpProviderSettings,
  gcpProviderSettingsSchema,
  type ResolvedGcpProviderSettings,
  resolveGcpProviderSettings,
} from './gcp-settings.js';
export type { GcsBackupStoreOptions } from './gcs-backup-store.js';
export type { EnsureGcsBucketOptions } from './gcs-ensure-bucket.js';
