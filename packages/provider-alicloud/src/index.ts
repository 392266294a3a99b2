/**
 * `@trellis/provider-alicloud` (in progress): the Alibaba Cloud provider. What exists so far is the
 * machine class of Gardener's Alicloud machines with its validation and the ECS machine provider;
 * the infrastructure provider and the OSS backup store follow.
 *
 * @packageDocumentation
 */

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
export { createAlicloudMachines } from './alicloud-provider.js';
export {
  ALICLOUD_DEFAULT_RATE_LIMITS_PER_MINUTE,
  type AlicloudProviderSettings,
  alicloudProviderSettingsSchema,
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
