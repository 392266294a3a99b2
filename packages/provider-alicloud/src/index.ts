/**
 * `@trellis/provider-alicloud` (in progress): the Alibaba Cloud provider. What exists so far is the
 * machine class of Gardener's Alicloud machines with its validation; the machine, infrastructure and
 * backup contracts follow.
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
} from './alicloud-machine-class.js';
