export { type AwsApi, type AwsApiOptions, createAwsApi } from './aws-api.js';
export { type AwsBackupConfig, awsBackupConfig, awsBackupConfigShape } from './aws-backup-config.js';
export {
  createAwsInfrastructureProvider,
  createAwsMachineProvider,
  createS3BackupStore,
  ensureBucket,
} from './aws-entry-points.js';
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
export type {
  AwsInfrastructureProvider,
  AwsInfrastructureProviderOptions,
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
  validateAwsMachineSpec,
} from './aws-machine-class.js';
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
  type AwsClientConfig,
  AwsClients,
  type AwsCredentialsProvider,
  type AwsProviderContext,
  type AwsProviderSettings,
  type AwsService,
  type AwsStaticCredentials,
  awsProviderSettingsSchema,
  createAwsProviderContext,
  type ResolvedAwsProviderSettings,
  resolveAwsProviderSettings,
} from './aws-settings.js';
export type { S3BackupStoreOptions } from './s3-backup-store.js';
export type {
  BucketEncryption,
  BucketSetting,
  EnsureBucketOptions,
  EnsureBucketResult,
} from './s3-ensure-bucket.js';
export { ABORT_INCOMPLETE_UPLOADS_RULE_ID, S3_CHECKSUM_TAG, S3_PART_CHECKSUM_TAG } from './s3-names.js';
