import { type ConfigSchema, defineConfigSchema, invalidArgument, z } from '@trellis/core';
import { checkAwsMachineClass } from './aws-machine-class-rules.js';

const required = z.string({ error: 'is required' }).min(1, 'is required');

/** EBS volume types EC2 accepts for a machine's disks. */
export const AWS_VOLUME_TYPES = ['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard'] as const;

const ebsSchema = z.strictObject({
  /** Size in GiB; the allowed range depends on the volume type. */
  volumeSize: z.number().int().positive().optional(),
  /** Volume type. @default 'gp3' */
  volumeType: z.enum(AWS_VOLUME_TYPES).optional(),
  /** Provisioned IOPS: required for io1 / io2, optional for gp3, not allowed otherwise. */
  iops: z.number().int().positive().optional(),
  /** Throughput in MiB/s (gp3 only, 125–2000). */
  throughput: z.number().int().positive().optional(),
  /** Encrypt the volume. @default true */
  encrypted: z.boolean().optional(),
  /** KMS key (id, alias or ARN) for encryption; needs `encrypted`. */
  kmsKeyID: z.string().min(1).optional(),
  /** Snapshot to create the volume from. */
  snapshotID: z.string().startsWith('snap-', 'must be a snapshot id (snap-...)').optional(),
  /** Delete the volume when the instance terminates. @default true */
  deleteOnTermination: z.boolean().optional(),
});

const blockDeviceSchema = z.strictObject({
  /** `/root` for the root disk, else `/dev/sd[a-z]` or `/dev/xvd[a-z]`. May be left out for a single disk. */
  deviceName: z.string().optional(),
  ebs: ebsSchema,
});

const networkInterfaceSchema = z.strictObject({
  /** Subnet of the interface (`subnet-...`). */
  subnetID: required,
  /** Security groups of the interface (at least one). */
  securityGroupIDs: z.array(z.string()).optional(),
  /** Give the instance a public IPv4 address (only with a single interface). */
  associatePublicIPAddress: z.boolean().optional(),
  /** IPv6 addresses to assign from the subnet. */
  ipv6AddressCount: z.number().int().min(0).optional(),
  /** IPv6 delegated prefixes to assign. */
  ipv6PrefixCount: z.number().int().min(0).optional(),
  /** Delete the interface with the instance. @default true */
  deleteOnTermination: z.boolean().optional(),
  description: z.string().optional(),
  /** @default 'interface' */
  interfaceType: z.enum(['interface', 'efa', 'efa-only']).optional(),
  networkCardIndex: z.number().int().min(0).optional(),
  deviceIndex: z.number().int().min(0).optional(),
  primaryIpv6: z.boolean().optional(),
});

/**
 * The AWS machine class provider spec (Gardener's `AWSProviderSpec`): everything
 * `RunInstances` needs for one worker VM.
 */
export const awsMachineClassShape = z.strictObject({
  /** Kept for compatibility with Gardener machine classes; ignored. */
  apiVersion: z.string().optional(),
  /** Image id (`ami-...`). */
  ami: required,
  /** Instance type, e.g. `m5.large`. */
  machineType: required,
  /** Region; must be the provider's region. */
  region: required,
  /** Instance profile: exactly one of `name` and `arn`. */
  iam: z.strictObject({ name: z.string().optional(), arn: z.string().optional() }).optional(),
  /** Network interfaces; at least one. */
  networkInterfaces: z.array(networkInterfaceSchema).optional(),
  /** EBS disks; exactly one is the root (`/root`) when there are several. */
  blockDevices: z.array(blockDeviceSchema).optional(),
  /** EC2 key pair for SSH. */
  keyName: z.string().min(1).optional(),
  /** Extra instance tags (`aws:` keys are reserved). */
  tags: z.record(z.string(), z.string()).optional(),
  /** Run as a spot instance: `""` caps at the on-demand price, else the highest price per hour. */
  spotPrice: z.string().optional(),
  ebsOptimized: z.boolean().optional(),
  monitoring: z.boolean().optional(),
  /** `false` disables source/destination checks (needed for routing nodes). @default true */
  srcAndDstChecksEnabled: z.boolean().optional(),
  capacityReservation: z
    .strictObject({
      /** `open` or `none`; not together with an id or group. */
      capacityReservationPreference: z.enum(['open', 'none', 'capacity-reservations-only']).optional(),
      capacityReservationId: z.string().min(1).optional(),
      capacityReservationResourceGroupArn: z.string().min(1).optional(),
      /** The reservation is an ML capacity block (market type `capacity-block`). */
      isMLCapacityBlock: z.boolean().optional(),
    })
    .optional(),
  instanceMetadataOptions: z
    .strictObject({
      /** @default 'enabled' */
      httpEndpoint: z.enum(['enabled', 'disabled']).optional(),
      /** 0–64. */
      httpPutResponseHopLimit: z.number().int().optional(),
      /** `required` enforces IMDSv2. */
      httpTokens: z.enum(['required', 'optional']).optional(),
      httpProtocolIpv6: z.enum(['enabled', 'disabled']).optional(),
    })
    .optional(),
  cpuOptions: z
    .strictObject({
      coreCount: z.number().int().positive().optional(),
      /** 1 disables multi-threading. */
      threadsPerCore: z.number().int().optional(),
      amdSevSnp: z.enum(['enabled', 'disabled']).optional(),
    })
    .optional(),
  placement: z
    .strictObject({
      availabilityZone: z.string().min(1).optional(),
      groupId: z.string().min(1).optional(),
      partitionNumber: z.number().int().positive().optional(),
      /** `default`, `dedicated` or `host`. */
      tenancy: z.enum(['default', 'dedicated', 'host']).optional(),
      /** Dedicated host (`h-...`); needs tenancy `host`. */
      hostId: z.string().min(1).optional(),
      /** `default` or `host`; needs tenancy `host`. */
      affinity: z.enum(['default', 'host']).optional(),
    })
    .optional(),
});

/** The validated AWS machine class provider spec. */
export type AwsMachineClass = z.output<typeof awsMachineClassShape>;
/** One EBS disk of {@link AwsMachineClass}. */
export type AwsBlockDevice = z.output<typeof blockDeviceSchema>;
/** One network interface of {@link AwsMachineClass}. */
export type AwsNetworkInterface = z.output<typeof networkInterfaceSchema>;

/** The machine class schema with Gardener's cross-field rules (every problem, with its path). */
export const awsMachineClassSchema = awsMachineClassShape.superRefine(
  (spec, context) => {
    for (const issue of checkAwsMachineClass(spec)) {
      context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  },
  { when: () => true },
);

/** The machine class as a Trellis config schema: validation with field paths and JSON Schema. */
export const awsMachineClass: ConfigSchema<AwsMachineClass> = defineConfigSchema(
  'AWS machine class',
  awsMachineClassSchema,
  { provider: 'aws' },
);

/**
 * Validates a machine class for a provider of `region`: the schema, and that the class names the
 * provider's own region. `InvalidArgument` with every problem's field path.
 */
export function validateAwsMachineSpec(spec: unknown, region: string): AwsMachineClass {
  const parsed = awsMachineClass.parse(spec);
  if (parsed.region !== region) {
    throw invalidArgument(
      'invalid AWS machine class',
      [{ path: 'region', message: `must be the provider's region ${region} (got ${parsed.region})` }],
      { provider: 'aws', operation: 'validateSpec' },
    );
  }
  return parsed;
}
