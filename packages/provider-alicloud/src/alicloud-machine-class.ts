import { type ConfigSchema, cidrContains, defineConfigSchema, invalidArgument, z } from '@trellis/core';

const required = z.string({ error: 'is required' }).min(1, 'is required');

/** Data disk names, as the historic MCM rules allow them. */
const DISK_NAME = /^[a-zA-Z][a-zA-Z0-9.\-_:]+$/;
/** Data disk sizes ECS takes, in GiB. */
export const ALICLOUD_DATA_DISK_SIZE = { min: 20, max: 32768 } as const;
/** The tag key parts Gardener's driver requires (and lists machines by). */
export const ALICLOUD_CLUSTER_TAG_PART = 'kubernetes.io/cluster/';
export const ALICLOUD_ROLE_TAG_PART = 'kubernetes.io/role/';
/** Addresses Alibaba Cloud keeps for itself: no node, pod or service range may use them. */
export const ALICLOUD_RESERVED_CIDR = '100.64.0.0/10';

const dataDiskSchema = z.strictObject({
  /** Becomes `<machine>-<name>-data-disk`. */
  name: required,
  category: required,
  /** GiB, 20..32768. */
  size: z.number().int(),
  encrypted: z.boolean().optional(),
  /** @default true (not for `DiskEphemeralSSD`) */
  deleteWithInstance: z.boolean().optional(),
  description: z.string().optional(),
});

/** The zod schema of Gardener's Alicloud machine class (`ProviderSpec` of MCM's Alicloud driver). */
export const alicloudMachineClassShape = z.strictObject({
  apiVersion: z.string().optional(),
  imageID: required,
  instanceType: required,
  region: required,
  zoneID: required,
  securityGroupID: z.string().optional(),
  vSwitchID: required,
  privateIPAddress: z.string().optional(),
  systemDisk: z.strictObject({ category: required, size: z.number().int().positive() }).optional(),
  dataDisks: z.array(dataDiskSchema).max(64, 'at most 64 data disks').optional(),
  instanceChargeType: z.enum(['PostPaid', 'PrePaid']).optional(),
  internetChargeType: z.enum(['PayByTraffic', 'PayByBandwidth']).optional(),
  /** 1..100 Mbit/s. */
  internetMaxBandwidthIn: z.number().int().min(1).max(100).optional(),
  /** 0..100 Mbit/s; above 0 the instance gets a public IP. */
  internetMaxBandwidthOut: z.number().int().min(0).max(100).optional(),
  spotStrategy: z.enum(['NoSpot', 'SpotWithPriceLimit', 'SpotAsPriceGo']).optional(),
  /** Note the capital `I`, as Gardener's JSON key has it. */
  IoOptimized: z.enum(['none', 'optimized']).optional(),
  tags: z.record(z.string(), z.string()),
  keyPairName: required,
});

/** An Alicloud machine class. */
export type AlicloudMachineClass = z.output<typeof alicloudMachineClassShape>;

type Issue = { path: Array<string | number>; message: string };

/**
 * The rules Gardener's code never checks (its validation returns nil) but which were written down
 * once: MCM's historic `AlicloudMachineClass` rules and the worker rules — data disk names (pattern,
 * at most 64 characters, unique), sizes 20..32768 GiB, the cluster and role tag keys the driver
 * lists machines by.
 */
function checkAlicloudMachineClass(spec: AlicloudMachineClass): Issue[] {
  const issues: Issue[] = [];
  const names = new Map<string, number>();
  (spec.dataDisks ?? []).forEach((disk, index) => {
    if (disk.name && !DISK_NAME.test(disk.name))
      issues.push({
        path: ['dataDisks', index, 'name'],
        message: 'must start with a letter and hold only letters, digits, ".", "-", "_" and ":"',
      });
    if (disk.name.length > 64)
      issues.push({ path: ['dataDisks', index, 'name'], message: 'must be at most 64 characters' });
    const first = names.get(disk.name);
    if (first !== undefined)
      issues.push({ path: ['dataDisks', index, 'name'], message: `repeats dataDisks[${first}].name` });
    else names.set(disk.name, index);
    if (disk.size < ALICLOUD_DATA_DISK_SIZE.min || disk.size > ALICLOUD_DATA_DISK_SIZE.max)
      issues.push({
        path: ['dataDisks', index, 'size'],
        message: `must be ${ALICLOUD_DATA_DISK_SIZE.min} to ${ALICLOUD_DATA_DISK_SIZE.max} GiB`,
      });
    if (disk.category === 'DiskEphemeralSSD' && disk.deleteWithInstance === false)
      issues.push({
        path: ['dataDisks', index, 'deleteWithInstance'],
        message: 'an ephemeral SSD always goes with its instance',
      });
  });
  const keys = Object.keys(spec.tags);
  if (!keys.some((key) => key.includes(ALICLOUD_CLUSTER_TAG_PART)))
    issues.push({ path: ['tags'], message: `must hold a key with ${ALICLOUD_CLUSTER_TAG_PART}<cluster>` });
  if (!keys.some((key) => key.includes(ALICLOUD_ROLE_TAG_PART)))
    issues.push({ path: ['tags'], message: `must hold a key with ${ALICLOUD_ROLE_TAG_PART}<role>` });
  const address = spec.privateIPAddress;
  if (address) {
    if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(address) || address.split('.').some((part) => Number(part) > 255))
      issues.push({ path: ['privateIPAddress'], message: 'must be an IPv4 address' });
    else if (cidrContains(ALICLOUD_RESERVED_CIDR, `${address}/32`))
      issues.push({
        path: ['privateIPAddress'],
        message: `must not lie in ${ALICLOUD_RESERVED_CIDR}, which Alibaba Cloud reserves (100.100.100.200 is the metadata server)`,
      });
  }
  if (!spec.zoneID.startsWith(spec.region))
    issues.push({ path: ['zoneID'], message: `must be a zone of region ${spec.region}` });
  return issues;
}

/** The machine class with Gardener's rules applied. */
export const alicloudMachineClassSchema = alicloudMachineClassShape.superRefine(
  (spec, context) => {
    for (const issue of checkAlicloudMachineClass(spec)) context.addIssue({ code: 'custom', ...issue });
  },
  { when: () => true },
);

/** The machine class as a Trellis config schema: validation with field paths and JSON Schema. */
export const alicloudMachineClass: ConfigSchema<AlicloudMachineClass> = defineConfigSchema(
  'Alicloud machine class',
  alicloudMachineClassSchema,
  { provider: 'alicloud' },
);

/** Validates a machine class for a provider of `region`. */
export function validateAlicloudMachineSpec(spec: unknown, region: string): AlicloudMachineClass {
  const parsed = alicloudMachineClass.parse(spec);
  if (parsed.region !== region)
    throw invalidArgument(
      'invalid Alicloud machine class',
      [{ path: 'region', message: `must be the provider's region ${region} (got ${parsed.region})` }],
      { provider: 'alicloud', operation: 'validateSpec' },
    );
  return parsed;
}
