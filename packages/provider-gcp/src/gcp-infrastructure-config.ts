import { type ConfigSchema, defineConfigSchema, z } from '@trellis/core';
import { checkGcpInfrastructureConfig } from './gcp-infrastructure-config-rules.js';

/** GCE resource names: RFC 1035, 1–63 characters. */
export const GCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const gceName = z.string().regex(GCE_NAME, 'must be a GCE name (RFC 1035: [a-z]([-a-z0-9]*[a-z0-9])?, 1-63)');
const cidr = z.string().min(1, 'is required');
const seconds = z.number().int().positive();

/** The flow log settings of the nodes subnet (Gardener's `flowLogs`). */
const flowLogsSchema = z.strictObject({
  /** @default 'INTERVAL_5_MIN' */
  aggregationInterval: z
    .enum([
      'INTERVAL_5_SEC',
      'INTERVAL_30_SEC',
      'INTERVAL_1_MIN',
      'INTERVAL_5_MIN',
      'INTERVAL_10_MIN',
      'INTERVAL_15_MIN',
    ])
    .optional(),
  /** Share of flows sampled, 0–1. @default 0.5 */
  flowSampling: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  /** @default 'EXCLUDE_ALL_METADATA' */
  metadata: z.enum(['CUSTOM_METADATA', 'EXCLUDE_ALL_METADATA', 'INCLUDE_ALL_METADATA']).optional(),
});

/** The Cloud NAT settings (Gardener's `cloudNAT`). */
const cloudNatSchema = z.strictObject({
  /** Ports per VM. @default 2048 */
  minPortsPerVM: z.number().int().min(2).max(65536).optional(),
  /** Upper bound of ports per VM; only with dynamic port allocation. @default 65536 */
  maxPortsPerVM: z.number().int().min(2).max(65536).optional(),
  /** @default false */
  enableDynamicPortAllocation: z.boolean().optional(),
  /** @default { enabled: false } */
  endpointIndependentMapping: z.strictObject({ enabled: z.boolean() }).optional(),
  /** Existing regional addresses the NAT uses instead of automatic ones (never deleted). */
  natIPNames: z.array(z.strictObject({ name: gceName })).optional(),
  /** @default 30 */
  icmpIdleTimeoutSec: seconds.optional(),
  /** @default 1200 */
  tcpEstablishedIdleTimeoutSec: seconds.optional(),
  /** @default 120 */
  tcpTimeWaitTimeoutSec: seconds.optional(),
  /** @default 30 */
  tcpTransitoryIdleTimeoutSec: seconds.optional(),
  /** @default 30 */
  udpIdleTimeoutSec: seconds.optional(),
});

/** The zod schema of {@link GcpInfrastructureConfig}, without the cross-field rules. */
export const gcpInfrastructureConfigShape = z.strictObject({
  networks: z.strictObject({
    /**
     * An existing VPC network to use (bring your own), and optionally its Cloud Router. Neither is
     * ever modified or deleted; the subnets, firewall rules, router and NAT Trellis adds to them are.
     */
    vpc: z
      .strictObject({
        name: gceName,
        cloudRouter: z.strictObject({ name: gceName }).optional(),
      })
      .optional(),
    /** CIDR of the nodes subnet `<cluster>-nodes`. */
    workers: cidr,
    /** CIDR of the subnet `<cluster>-internal` for internal load balancers. */
    internal: cidr.optional(),
    cloudNAT: cloudNatSchema.optional(),
    /** Flow logs of the nodes subnet. */
    flowLogs: flowLogsSchema.optional(),
    /** MTU of a VPC network Trellis creates, 1300–8896. @default GCE's (1460) */
    mtu: z.number().int().min(1300, 'must be 1300-8896').max(8896, 'must be 1300-8896').optional(),
  }),
  /** The cluster's pod network: allowed in by the internal firewall rule; no subnet may overlap it. */
  podsCidr: cidr.optional(),
  /** The cluster's service network; no subnet may overlap it. */
  servicesCidr: cidr.optional(),
  /**
   * The nodes' identity: `'create'` makes a service account for the cluster (deleted with it),
   * `{ email }` uses an existing one, `'none'` skips it. @default 'create'
   */
  serviceAccount: z
    .union([
      z.enum(['create', 'none']),
      z.strictObject({ email: z.email('must be a service account email') }),
    ])
    .optional(),
});

/**
 * The GCP infrastructure config, after Gardener's GCP `InfrastructureConfig`:
 *
 * ```ts
 * {
 *   networks: {
 *     workers: '10.250.0.0/16',
 *     internal: '10.251.0.0/16',
 *     cloudNAT: { minPortsPerVM: 4096 },
 *     flowLogs: { aggregationInterval: 'INTERVAL_5_MIN' },
 *     // vpc: { name: 'shared-vpc', cloudRouter: { name: 'shared-router' } },
 *   },
 *   podsCidr: '100.96.0.0/11',
 *   servicesCidr: '100.64.0.0/13',
 * }
 * ```
 */
export type GcpInfrastructureConfig = z.output<typeof gcpInfrastructureConfigShape>;

/** The infrastructure config schema with every Gardener validation rule; the JSON Schema comes from it. */
export const gcpInfrastructureConfigSchema: ConfigSchema<GcpInfrastructureConfig> = defineConfigSchema(
  'GCP infrastructure config',
  gcpInfrastructureConfigShape.superRefine((config, context) => {
    for (const issue of checkGcpInfrastructureConfig(config)) {
      context.addIssue({ code: 'custom', message: issue.message, path: issue.segments });
    }
  }),
  { provider: 'gcp' },
);
