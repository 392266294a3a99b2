import { type ConfigSchema, defineConfigSchema, z } from '@trellis/core';
import { checkAzureInfrastructureConfig } from './azure-infrastructure-config-rules.js';

const RESOURCE_GROUP = /^[\w().-]{0,89}[\w()-]$/;
const resourceGroupName = z
  .string()
  .regex(RESOURCE_GROUP, 'must be a resource group name (1-90 of [A-Za-z0-9_().-], not ending in ".")');
const publicIpName = z
  .string()
  .max(80, 'must be at most 80 characters')
  .regex(/^[A-Za-z0-9][\w-]*$/, 'must be a public IP name ([A-Za-z0-9][A-Za-z0-9_-]*)');
const serviceEndpoint = z
  .string()
  .min(9, 'must be 9-120 characters')
  .max(120, 'must be 9-120 characters')
  .regex(/^Microsoft\.[A-Za-z0-9.]+$/, 'must be a service endpoint (Microsoft.<Service>)');
const idleTimeout = z.number().int().min(4, 'must be 4-120 minutes').max(120, 'must be 4-120 minutes');
const zone = z
  .number()
  .int()
  .min(1, 'must be an availability zone (1-3)')
  .max(3, 'must be an availability zone (1-3)');

/** A public IP address the user made, in any resource group (never modified or deleted). */
const userPublicIp = z.strictObject({
  name: publicIpName,
  resourceGroup: resourceGroupName,
  zone: zone.optional(),
});

/** The NAT gateway of the single-subnet layout. */
const natGatewaySchema = z.strictObject({
  enabled: z.boolean(),
  /** Minutes an idle connection is kept, 4–120. @default 4 */
  idleConnectionTimeoutMinutes: idleTimeout.optional(),
  /** The zone of the NAT and its public IP (Standard SKU only). @default none: regional */
  zone: zone.optional(),
  /** `StandardV2` is zone-redundant: no zone on the NAT or its IPs. @default 'Standard' */
  sku: z.enum(['Standard', 'StandardV2']).optional(),
  /** Public IPs the user made, used instead of one Trellis makes. */
  ipAddresses: z.array(userPublicIp).optional(),
});

/** One zone of the multi-subnet layout. */
const zoneSchema = z.strictObject({
  /** The availability zone, 1–3. */
  name: zone,
  /** CIDR of the zone's nodes subnet `<cluster>-nodes-z<zone>`. */
  cidr: z.string().min(1, 'is required'),
  serviceEndpoints: z.array(serviceEndpoint).optional(),
  natGateway: z
    .strictObject({
      enabled: z.boolean(),
      idleConnectionTimeoutMinutes: idleTimeout.optional(),
      sku: z.literal('Standard', 'must be Standard (a zonal NAT gateway)').optional(),
      ipAddresses: z.array(userPublicIp.omit({ zone: true })).optional(),
    })
    .optional(),
});

/** The zod schema of {@link AzureInfrastructureConfig}, without the cross-field rules. */
export const azureInfrastructureConfigShape = z.strictObject({
  /**
   * Not supported, as in Gardener: the cluster's resource group is `<cluster>` and Trellis owns all
   * of it (deleting the cluster deletes the group). Kept in the schema to reject it with a clear message.
   */
  resourceGroup: z.strictObject({ name: resourceGroupName }).optional(),
  networks: z.strictObject({
    /**
     * The VNet: one Trellis makes (`cidr`; default: `workers`), or one the user brings (`name` and
     * `resourceGroup`), which is never modified or deleted; the subnets Trellis adds to it are.
     */
    vnet: z
      .strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][\w.-]{0,62}\w$/, 'must be a VNet name (2-64 of [A-Za-z0-9_.-])')
          .optional(),
        resourceGroup: resourceGroupName.optional(),
        cidr: z.string().min(1, 'is required').optional(),
        /** ARM id of a DDoS protection plan for a VNet Trellis makes. */
        ddosProtectionPlanID: z.string().optional(),
      })
      .optional(),
    /** Single-subnet layout: CIDR of the nodes subnet `<cluster>-nodes` (exclusive with `zones`). */
    workers: z.string().min(1, 'is required').optional(),
    /** Single-subnet layout: the NAT gateway `<cluster>-nat-gateway`. */
    natGateway: natGatewaySchema.optional(),
    /** Single-subnet layout: service endpoints of the nodes subnet. */
    serviceEndpoints: z.array(serviceEndpoint).optional(),
    /** Multi-subnet layout: one nodes subnet (and optionally NAT gateway) per zone; needs `zoned: true`. */
    zones: z.array(zoneSchema).optional(),
  }),
  /** A user-assigned managed identity the nodes use; looked up, never created or deleted. */
  identity: z
    .strictObject({
      name: z
        .string()
        .regex(/^[A-Za-z0-9][\w-]{2,127}$/, 'must be an identity name (3-128 of [A-Za-z0-9_-])'),
      resourceGroup: resourceGroupName,
      acrAccess: z.boolean().optional(),
    })
    .optional(),
  /** Whether the cluster's machines use availability zones. Immutable. @default false */
  zoned: z.boolean().optional(),
  /** The cluster's pod network: no subnet may overlap it. */
  podsCidr: z.string().min(1).optional(),
  /** The cluster's service network: no subnet may overlap it. */
  servicesCidr: z.string().min(1).optional(),
});

/**
 * The Azure infrastructure config, after Gardener's Azure `InfrastructureConfig`:
 *
 * ```ts
 * // one nodes subnet with a NAT gateway
 * { networks: { vnet: { cidr: '10.250.0.0/16' }, workers: '10.250.0.0/19', natGateway: { enabled: true } } }
 * // a subnet and a NAT gateway per zone
 * { zoned: true, networks: { vnet: { cidr: '10.250.0.0/16' }, zones: [
 *   { name: 1, cidr: '10.250.0.0/19', natGateway: { enabled: true } },
 *   { name: 2, cidr: '10.250.32.0/19', natGateway: { enabled: true } } ] } }
 * ```
 */
export type AzureInfrastructureConfig = z.output<typeof azureInfrastructureConfigShape>;

/** The infrastructure config schema with Gardener's validation rules; the JSON Schema comes from it. */
export const azureInfrastructureConfigSchema: ConfigSchema<AzureInfrastructureConfig> = defineConfigSchema(
  'Azure infrastructure config',
  azureInfrastructureConfigShape.superRefine((config, context) => {
    for (const issue of checkAzureInfrastructureConfig(config)) {
      context.addIssue({ code: 'custom', message: issue.message, path: issue.segments });
    }
  }),
  { provider: 'azure' },
);
