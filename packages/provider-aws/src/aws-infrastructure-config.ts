import { type ConfigSchema, defineConfigSchema, type FieldIssue, invalidArgument, z } from '@trellis/core';
import { checkInfrastructureConfig } from './aws-infrastructure-config-rules.js';

const nonEmpty = z.string().min(1, 'is required');

/** Existing subnets of one zone, for a bring-your-own network. */
const existingSubnetsSchema = z.strictObject({
  /** Subnet the nodes run in. */
  workers: nonEmpty.startsWith('subnet-', 'must be a subnet id (subnet-...)'),
  /** Subnet for public load balancers. */
  public: nonEmpty.startsWith('subnet-', 'must be a subnet id (subnet-...)').optional(),
  /** Subnet for internal load balancers. */
  internal: nonEmpty.startsWith('subnet-', 'must be a subnet id (subnet-...)').optional(),
});

const zoneSchema = z.strictObject({
  /** Availability zone, e.g. `eu-west-1a`. */
  name: nonEmpty,
  /** CIDR of the subnet the nodes run in (managed zones). */
  workers: nonEmpty.optional(),
  /** CIDR of the public (utility) subnet holding the NAT gateway and public load balancers. */
  public: nonEmpty.optional(),
  /** CIDR of the subnet for internal load balancers. */
  internal: nonEmpty.optional(),
  /** Existing subnets to use instead of creating them (bring-your-own VPC only). */
  subnetIds: existingSubnetsSchema.optional(),
  /** An elastic IP the zone's NAT gateway uses instead of allocating one (`eipalloc-...`). */
  elasticIPAllocationID: nonEmpty.optional(),
});

const vpcSchema = z.strictObject({
  /** Id of an existing VPC to use (bring your own); never modified or deleted. */
  id: nonEmpty.optional(),
  /** CIDR of the VPC to create. */
  cidr: nonEmpty.optional(),
  /** Services to reach through gateway VPC endpoints, e.g. `s3` (→ `com.amazonaws.<region>.s3`). */
  gatewayEndpoints: z.array(z.string()).optional(),
});

const ignoreTagsSchema = z.strictObject({
  /** Tag keys that reconcile never removes from the resources it manages. */
  keys: z.array(nonEmpty).optional(),
  /** Tag key prefixes that reconcile never removes from the resources it manages. */
  keyPrefixes: z.array(nonEmpty).optional(),
});

/** The zod schema of {@link AwsInfrastructureConfig}, without the cross-field rules. */
export const awsInfrastructureConfigShape = z.strictObject({
  networks: z.strictObject({
    vpc: vpcSchema,
    zones: z.array(zoneSchema),
  }),
  /** Tags user tooling puts on managed resources that reconcile keeps. */
  ignoreTags: ignoreTagsSchema.optional(),
  /** The cluster's node network; every zone's `workers` CIDR must lie inside it. */
  nodesCidr: nonEmpty.optional(),
  /** The cluster's pod network; no subnet may overlap it. */
  podsCidr: nonEmpty.optional(),
  /** The cluster's service network; no subnet may overlap it. */
  servicesCidr: nonEmpty.optional(),
  /** OpenSSH public key imported as the cluster's EC2 key pair. Without it no key pair is made. */
  sshPublicKey: nonEmpty.optional(),
  /** Let the nodes' IAM role pull from ECR. @default true */
  enableECRAccess: z.boolean().optional(),
});

/**
 * The AWS infrastructure config, after Gardener's AWS `InfrastructureConfig`:
 *
 * ```ts
 * {
 *   networks: {
 *     vpc: { cidr: '10.0.0.0/16', gatewayEndpoints: ['s3'] },      // or { id: 'vpc-0abc' }
 *     zones: [{ name: 'eu-west-1a', workers: '10.0.0.0/19', public: '10.0.32.0/20', internal: '10.0.48.0/20' }],
 *   },
 *   nodesCidr: '10.0.0.0/16',
 * }
 * ```
 */
export type AwsInfrastructureConfig = z.output<typeof awsInfrastructureConfigShape>;

/** One zone of {@link AwsInfrastructureConfig}. */
export type AwsInfrastructureZone = AwsInfrastructureConfig['networks']['zones'][number];

/** The infrastructure config schema with every Gardener validation rule; the JSON Schema comes from it. */
export const awsInfrastructureConfigSchema: ConfigSchema<AwsInfrastructureConfig> = defineConfigSchema(
  'AWS infrastructure config',
  awsInfrastructureConfigShape.superRefine((config, context) => {
    for (const issue of checkInfrastructureConfig(config)) {
      context.addIssue({ code: 'custom', message: issue.message, path: issue.segments });
    }
  }),
  { provider: 'aws' },
);

/** Validates an infrastructure config; throws `InvalidArgument` listing every problem with its field path. */
export function parseAwsInfrastructureConfig(input: unknown): AwsInfrastructureConfig {
  return awsInfrastructureConfigSchema.parse(input);
}

function same(first: unknown, second: unknown): boolean {
  return JSON.stringify(first ?? null) === JSON.stringify(second ?? null);
}

/**
 * The problems of changing an infrastructure config from `previous` to `next`, as Gardener's
 * update validation: the VPC (id, CIDR) stays, zones are never removed, and an existing zone keeps
 * its CIDRs, subnet ids and elastic IP. Both configs must be valid on their own.
 */
export function checkAwsInfrastructureConfigUpdate(
  previous: AwsInfrastructureConfig,
  next: AwsInfrastructureConfig,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const immutable = 'is immutable';
  if (!same(previous.networks.vpc.id, next.networks.vpc.id)) {
    issues.push({ path: 'networks.vpc.id', message: immutable });
  }
  if (!same(previous.networks.vpc.cidr, next.networks.vpc.cidr)) {
    issues.push({ path: 'networks.vpc.cidr', message: immutable });
  }
  for (const oldZone of previous.networks.zones) {
    const index = next.networks.zones.findIndex((zone) => zone.name === oldZone.name);
    if (index < 0) {
      issues.push({ path: 'networks.zones', message: `zone "${oldZone.name}" may not be removed` });
      continue;
    }
    const newZone = next.networks.zones[index]!;
    for (const field of ['workers', 'public', 'internal', 'subnetIds', 'elasticIPAllocationID'] as const) {
      if (!same(oldZone[field], newZone[field])) {
        issues.push({ path: `networks.zones[${index}].${field}`, message: immutable });
      }
    }
  }
  return issues;
}

/** Throws `InvalidArgument` when {@link checkAwsInfrastructureConfigUpdate} finds a problem. */
export function validateAwsInfrastructureConfigUpdate(
  previous: AwsInfrastructureConfig,
  next: AwsInfrastructureConfig,
): void {
  const issues = checkAwsInfrastructureConfigUpdate(
    parseAwsInfrastructureConfig(previous),
    parseAwsInfrastructureConfig(next),
  );
  if (issues.length > 0) {
    throw invalidArgument('invalid AWS infrastructure config update', issues, {
      provider: 'aws',
      operation: 'validateUpdate',
    });
  }
}
