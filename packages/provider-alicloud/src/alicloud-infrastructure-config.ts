import { type ConfigSchema, defineConfigSchema, z } from '@trellis/core';
import { checkAlicloudInfrastructureConfig } from './alicloud-infrastructure-config-rules.js';

const cidr = z.string().min(1, 'is required');

const zoneSchema = z.strictObject({
  /** Zone id (`eu-central-1a`): a zone of the request's region. Immutable. */
  name: z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/, 'must be an Alibaba Cloud zone id such as eu-central-1a'),
  /** CIDR of the zone's nodes vSwitch `<cluster>-<zone>-vsw`, inside the VPC. Immutable. */
  workers: cidr,
  /**
   * The zone's SNAT address: an EIP of yours (its allocation id) the NAT gateway uses for this zone;
   * it is associated and unassociated, never released. @default an EIP Trellis allocates and releases
   */
  natGateway: z
    .strictObject({
      eipAllocationID: z.string().regex(/^eip-[a-z0-9]+$/, 'must be an EIP allocation id (eip-...)'),
    })
    .optional(),
});

/** The zod schema of {@link AlicloudInfrastructureConfig}, without the cross-field rules. */
export const alicloudInfrastructureConfigShape = z.strictObject({
  networks: z.strictObject({
    /** The VPC: the `cidr` of one Trellis creates, or the `id` of yours (never modified or deleted). */
    vpc: z.strictObject({
      id: z
        .string()
        .regex(/^vpc-[a-z0-9]+$/, 'must be a VPC id (vpc-...)')
        .optional(),
      cidr: cidr.optional(),
      /**
       * With `id`: Trellis creates (and deletes) its own Enhanced NAT gateway in your VPC instead of
       * using the one NAT gateway already there. @default false
       */
      gardenerManagedNATGateway: z.boolean().optional(),
    }),
    /** One nodes vSwitch per zone; zones can be added, not removed. The first zone holds the NAT gateway. */
    zones: z.array(zoneSchema).min(1, 'must name at least one zone'),
  }),
  /** The cluster's node network: every zone's workers CIDR must lie in it. */
  nodesCidr: cidr.optional(),
  /** The cluster's pod network: allowed in by the security group; nothing may overlap it. */
  podsCidr: cidr.optional(),
  /** The cluster's service network; nothing may overlap it. */
  servicesCidr: cidr.optional(),
});

/**
 * The Alibaba Cloud infrastructure config, after Gardener's Alicloud `InfrastructureConfig`:
 *
 * ```ts
 * {
 *   networks: {
 *     vpc: { cidr: '10.250.0.0/16' }, // or { id: 'vpc-...', gardenerManagedNATGateway: true }
 *     zones: [
 *       { name: 'eu-central-1a', workers: '10.250.0.0/19' },
 *       { name: 'eu-central-1b', workers: '10.250.32.0/19', natGateway: { eipAllocationID: 'eip-...' } },
 *     ],
 *   },
 *   podsCidr: '100.96.0.0/11',
 *   servicesCidr: '100.64.0.0/13',
 * }
 * ```
 */
export type AlicloudInfrastructureConfig = z.output<typeof alicloudInfrastructureConfigShape>;

/** The infrastructure config schema with Gardener's validation rules; the JSON Schema comes from it. */
export const alicloudInfrastructureConfigSchema: ConfigSchema<AlicloudInfrastructureConfig> =
  defineConfigSchema(
    'Alibaba Cloud infrastructure config',
    alicloudInfrastructureConfigShape.superRefine((config, context) => {
      for (const issue of checkAlicloudInfrastructureConfig(config)) {
        context.addIssue({ code: 'custom', message: issue.message, path: issue.segments });
      }
    }),
    { provider: 'alicloud' },
  );
