import { type ConfigSchema, defineConfigSchema, invalidArgument, z } from '@trellis/core';
import { GCE_CLUSTER_LABEL } from '@trellis/provider-kit';

const required = z.string({ error: 'is required' }).min(1, 'is required');

/** GCE disk types a machine class may name (`SCRATCH` is a local SSD). */
export const GCP_DISK_TYPES = [
  'pd-standard',
  'pd-balanced',
  'pd-ssd',
  'pd-extreme',
  'hyperdisk-balanced',
  'hyperdisk-extreme',
  'hyperdisk-throughput',
  'SCRATCH',
] as const;

/** Smallest persistent disk GCE creates, in GB. */
export const GCP_MIN_DISK_SIZE_GB = 10;
/** The size of a local SSD (`SCRATCH`) partition, in GB. */
export const GCP_SCRATCH_DISK_SIZE_GB = 375;

const diskSchema = z.strictObject({
  /** Delete the disk with the VM. @default true */
  autoDelete: z.boolean().optional(),
  /** The boot disk (exactly one, with an `image`). */
  boot: z.boolean().default(false),
  /** Size in GB (`SCRATCH`: 375). */
  sizeGb: z.number().int().positive().optional(),
  type: z.enum(GCP_DISK_TYPES).default('pd-balanced'),
  /** `NVME` or `SCSI`, for `SCRATCH` disks. */
  interface: z.enum(['NVME', 'SCSI']).optional(),
  /** Source image, e.g. `projects/debian-cloud/global/images/family/debian-12`. */
  image: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  provisionedIops: z.number().int().positive().optional(),
  provisionedThroughput: z.number().int().positive().optional(),
  encryption: z
    .strictObject({ kmsKeyName: required, kmsKeyServiceAccount: z.string().optional() })
    .optional(),
});

const networkInterfaceSchema = z.strictObject({
  /** VPC network name (or use `subnetwork`). */
  network: z.string().min(1).optional(),
  /** Subnetwork name in the class's region. */
  subnetwork: z.string().min(1).optional(),
  /** No external address. @default false */
  disableExternalIP: z.boolean().default(false),
  stackType: z.enum(['IPV4_ONLY', 'IPV4_IPV6']).optional(),
  ipv6accessType: z.enum(['EXTERNAL', 'INTERNAL']).optional(),
});

/** The zod schema of the GCP machine class (Gardener's `GCPProviderSpec`). */
export const gcpMachineClassShape = z.strictObject({
  machineType: required,
  region: required,
  zone: required,
  canIpForward: z.boolean().default(false),
  deletionProtection: z.boolean().default(false),
  description: z.string().optional(),
  disks: z.array(diskSchema),
  labels: z.record(z.string(), z.string()).optional(),
  metadata: z.array(z.strictObject({ key: required, value: z.string().optional() })).optional(),
  minCpuPlatform: z.string().min(1).optional(),
  networkInterfaces: z.array(networkInterfaceSchema),
  scheduling: z
    .strictObject({
      automaticRestart: z.boolean().default(true),
      onHostMaintenance: z.enum(['MIGRATE', 'TERMINATE']).default('MIGRATE'),
      preemptible: z.boolean().default(false),
      /** Spot VMs (`provisioningModel: SPOT`). */
      spot: z.boolean().default(false),
    })
    .optional(),
  serviceAccounts: z.array(z.strictObject({ email: z.string(), scopes: z.array(z.string()) })).optional(),
  /** Network tags: must include `kubernetes-io-cluster-<cluster>` and `kubernetes-io-role-node` (Gardener's). */
  tags: z.array(z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a GCE network tag')),
  gpu: z.strictObject({ acceleratorType: required, count: z.number().int().positive() }).optional(),
});

/** A GCP machine class. */
export type GcpMachineClass = z.output<typeof gcpMachineClassShape>;

type Issue = { path: Array<string | number>; message: string };

/** Gardener's machine class rules (`pkg/gcp/validation`), plus the disk size limits GCE enforces. */
function checkGcpMachineClass(spec: GcpMachineClass): Issue[] {
  const issues: Issue[] = [];
  if (spec.disks.length === 0) issues.push({ path: ['disks'], message: 'at least one disk is required' });
  const boots = spec.disks.filter((disk) => disk.boot);
  if (spec.disks.length > 0 && boots.length !== 1) {
    issues.push({ path: ['disks'], message: `exactly one boot disk is required (got ${boots.length})` });
  }
  spec.disks.forEach((disk, index) => {
    if (disk.type === 'SCRATCH') {
      if (!disk.interface)
        issues.push({
          path: ['disks', index, 'interface'],
          message: 'is required for SCRATCH disks (NVME or SCSI)',
        });
      if (disk.boot) issues.push({ path: ['disks', index, 'boot'], message: 'a SCRATCH disk cannot boot' });
      if (disk.sizeGb !== undefined && disk.sizeGb !== GCP_SCRATCH_DISK_SIZE_GB) {
        issues.push({
          path: ['disks', index, 'sizeGb'],
          message: `SCRATCH disks are ${GCP_SCRATCH_DISK_SIZE_GB} GB`,
        });
      }
    } else if (disk.sizeGb !== undefined && disk.sizeGb < GCP_MIN_DISK_SIZE_GB) {
      issues.push({
        path: ['disks', index, 'sizeGb'],
        message: `must be at least ${GCP_MIN_DISK_SIZE_GB} GB`,
      });
    }
    if (disk.boot && !disk.image)
      issues.push({ path: ['disks', index, 'image'], message: 'is required for the boot disk' });
    if (disk.encryption && disk.encryption.kmsKeyServiceAccount?.trim() === '') {
      issues.push({
        path: ['disks', index, 'encryption', 'kmsKeyServiceAccount'],
        message: 'must not be blank',
      });
    }
  });
  if (spec.networkInterfaces.length === 0) {
    issues.push({ path: ['networkInterfaces'], message: 'at least one network interface is required' });
  }
  spec.networkInterfaces.forEach((networkInterface, index) => {
    if (!networkInterface.network && !networkInterface.subnetwork) {
      issues.push({ path: ['networkInterfaces', index], message: 'needs a network or a subnetwork' });
    }
  });
  (spec.metadata ?? []).forEach((item, index) => {
    if (item.key === 'user-data') {
      issues.push({
        path: ['metadata', index, 'key'],
        message: '"user-data" is set from the machine\'s user data',
      });
    }
  });
  (spec.serviceAccounts ?? []).forEach((account, index) => {
    if (!account.email) issues.push({ path: ['serviceAccounts', index, 'email'], message: 'is required' });
    if (account.scopes.length === 0)
      issues.push({ path: ['serviceAccounts', index, 'scopes'], message: 'at least one scope is required' });
  });
  if (spec.gpu && spec.scheduling?.onHostMaintenance !== 'TERMINATE') {
    issues.push({
      path: ['scheduling', 'onHostMaintenance'],
      message: 'must be TERMINATE for machines with GPUs',
    });
  }
  if (!spec.tags.some((tag) => tag.startsWith('kubernetes-io-cluster-'))) {
    issues.push({ path: ['tags'], message: 'must contain the cluster tag kubernetes-io-cluster-<cluster>' });
  }
  if (!spec.tags.some((tag) => tag.startsWith('kubernetes-io-role-'))) {
    issues.push({ path: ['tags'], message: 'must contain the role tag kubernetes-io-role-node' });
  }
  if (spec.labels && GCE_CLUSTER_LABEL in spec.labels) {
    issues.push({ path: ['labels', GCE_CLUSTER_LABEL], message: 'is set by Trellis from the cluster name' });
  }
  return issues;
}

/** The machine class with Gardener's rules applied. */
export const gcpMachineClassSchema = gcpMachineClassShape.superRefine(
  (spec, context) => {
    for (const issue of checkGcpMachineClass(spec)) context.addIssue({ code: 'custom', ...issue });
  },
  { when: () => true },
);

/** The machine class as a Trellis config schema: validation with field paths and JSON Schema. */
export const gcpMachineClass: ConfigSchema<GcpMachineClass> = defineConfigSchema(
  'GCP machine class',
  gcpMachineClassSchema,
  {
    provider: 'gcp',
  },
);

/** Validates a machine class for a provider of `region`. */
export function validateGcpMachineSpec(spec: unknown, region: string): GcpMachineClass {
  const parsed = gcpMachineClass.parse(spec);
  if (parsed.region !== region) {
    throw invalidArgument(
      'invalid GCP machine class',
      [{ path: 'region', message: `must be the provider's region ${region} (got ${parsed.region})` }],
      { provider: 'gcp', operation: 'validateSpec' },
    );
  }
  if (!parsed.zone.startsWith(`${region}-`)) {
    throw invalidArgument(
      'invalid GCP machine class',
      [{ path: 'zone', message: `must be a zone of region ${region} (got ${parsed.zone})` }],
      { provider: 'gcp', operation: 'validateSpec' },
    );
  }
  return parsed;
}
