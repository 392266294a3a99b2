export { type AwsApi, type AwsApiOptions, createAwsApi } from './aws-api.js';
export { type AwsBackupConfig, awsBackupConfig, awsBackupConfigShape } from './aws-backup-config.js';
export { type AwsErrorContext, awsErrorCode, redactSecrets, toTrellisError } from './aws-errors.js';
export {
  type AwsInfrastructureConfig,
  type AwsInfrastructureZone,
  awsInfrastructureConfigSchema,
  awsInfrastructureConfigShape,
  checkAwsInfrastructureConfigUpdate,
  parseAwsInfrastructureConfig,
  validateAwsInfrastructureConfigUpdate,
} from './aws-infrastructure-config.js';
export {
  type AwsInfrastructureClients,
  type AwsInfrastructureTiming,
  DEFAULT_INFRASTRUCTURE_TIMING,
} from './aws-infrastructure-context.js';
export {
  type AwsInfrastructureProvider,
  type AwsInfrastructureProviderOptions,
  createAwsInfrastructureProvider,
} from './aws-infrastructure-provider.js';
export type { AwsInfrastructureStatus, AwsInfrastructureZoneStatus } from './aws-infrastructure-status.js';
export {
  AWS_VOLUME_TYPES,
  type AwsBlockDevice,
  type AwsMachineClass,
  type AwsNetworkInterface,
  awsMachineClass,
  awsMachineClassSchema,
  awsMachineClassShape,
} from './aws-machine-class.js';
export { createAwsMachineProvider } from './aws-machine-provider.js';
export { machineClientToken } from './aws-machine-run-request.js';
export { type AwsProvider, createAwsProvider, providerDefinition } from './aws-provider.js';
export {
  type AwsRateLimitClass,
  type AwsRateLimits,
  awsActionCharges,
  createAwsRateLimiter,
  EC2_DEFAULT_RATE_LIMITS,
} from './aws-rate-limits.js';
export {
  AwsClients,
  type AwsCredentialsProvider,
  type AwsProviderContext,
  type AwsProviderSettings,
  type AwsStaticCredentials,
  awsProviderSettingsSchema,
  createAwsProviderContext,
  type ResolvedAwsProviderSettings,
  resolveAwsProviderSettings,
} from './aws-settings.js';
export { createS3BackupStore, S3_CHECKSUM_TAG, type S3BackupStoreOptions } from './s3-backup-store.js';
export {
  ABORT_INCOMPLETE_UPLOADS_RULE_ID,
  type BucketEncryption,
  type BucketSetting,
  type EnsureBucketOptions,
  type EnsureBucketResult,
  ensureBucket,
} from './s3-ensure-bucket.js';
