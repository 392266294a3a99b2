/**
 * `@trellis/provider-alicloud`: the Alibaba Cloud provider. ECS machines (Gardener's Alicloud
 * machine class), VPC infrastructure with an Enhanced NAT gateway (Gardener's Alicloud
 * `InfrastructureConfig`), and an OSS backup store with etcd-backup-restore's layout. Each
 * service's SDK loads on its first use; `./testing` holds offline ECS/VPC and OSS fakes.
 *
 * @packageDocumentation
 */

export {
  type AlicloudBackupConfig,
  alicloudBackupConfig,
  alicloudBackupConfigShape,
} from './alicloud-backup-config.js';
export {
  type AlicloudInfrastructureConfig,
  alicloudInfrastructureConfigSchema,
  alicloudInfrastructureConfigShape,
} from './alicloud-infrastructure-config.js';
export {
  type AlicloudInfrastructureTiming,
  DEFAULT_ALICLOUD_INFRASTRUCTURE_TIMING,
} from './alicloud-infrastructure-context.js';
export type { AlicloudInfrastructureStatus } from './alicloud-infrastructure-status.js';
export {
  checkAlicloudInfrastructureConfigUpdate,
  checkAlicloudInfrastructureStateUpdate,
} from './alicloud-infrastructure-update.js';

export {
  ALICLOUD_CLUSTER_TAG_PART,
  ALICLOUD_DATA_DISK_SIZE,
  ALICLOUD_RESERVED_CIDR,
  ALICLOUD_ROLE_TAG_PART,
  type AlicloudMachineClass,
  alicloudMachineClass,
  alicloudMachineClassSchema,
  validateAlicloudMachineSpec,
} from './alicloud-machine-class.js';
export { ALICLOUD_MAX_TAGS } from './alicloud-machine-instance.js';
export {
  type AlicloudProvider,
  createAlicloudInfrastructureProvider,
  createAlicloudMachineProvider,
  createAlicloudMachines,
  createAlicloudProvider,
  ensureAlicloudBackupBucket,
  providerDefinition,
} from './alicloud-provider.js';
export {
  ALICLOUD_DEFAULT_RATE_LIMITS_PER_MINUTE,
  type AlicloudClientOptions,
  type AlicloudEndpoint,
  type AlicloudProviderContext,
  type AlicloudProviderSettings,
  alicloudProviderSettingsSchema,
  createAlicloudProviderContext,
  type ResolvedAlicloudProviderSettings,
} from './alicloud-settings.js';
export {
  createOssBackupStore,
  OSS_CHECKSUM_TAG,
  OSS_MIN_PART_SIZE,
  type OssBackupStoreOptions,
  type OssClient,
} from './oss-backup-store.js';
export { ensureOssBucket, OSS_ABORT_UPLOADS_RULE_ID, type OssBucketClient } from './oss-ensure-bucket.js';
