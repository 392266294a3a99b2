import {
  checkDns1123Label,
  cidrContains,
  cidrOverlaps,
  defineConfigSchema,
  isCanonicalCidr,
  parseCidr,
  z,
} from '@trellis/core';
import { LOCAL_PROVIDER } from './local-settings.js';

/** Subnet purposes of a zone, as the config names them. */
export const SUBNET_PURPOSES = ['workers', 'public', 'internal'] as const;

const cidrSchema = z.string().superRefine((text, context) => {
  let canonical: string;
  try {
    canonical = parseCidr(text).canonical;
  } catch (error) {
    context.addIssue({ code: 'custom', message: `"${text}" is not a CIDR: ${(error as Error).message}` });
    return;
  }
  if (canonical !== text) {
    context.addIssue({
      code: 'custom',
      message: `"${text}" is not canonical (host bits set?): use ${canonical}`,
    });
  }
});

const zoneSchema = z.strictObject({
  /** Zone name (DNS-1123 label), e.g. `zone-a`. */
  name: z.string(),
  /** The nodes' subnet, inside `networks.cidr`. */
  workers: cidrSchema,
  /** Optional public subnet. */
  public: cidrSchema.optional(),
  /** Optional internal subnet. */
  internal: cidrSchema.optional(),
});

/** The zod schema of the local infrastructure config (Gardener's AWS `InfrastructureConfig` shape). */
export const localInfrastructureConfigSchema = z
  .strictObject({
    networks: z.strictObject({
      /** The network's CIDR, e.g. `10.0.0.0/16`. */
      cidr: cidrSchema,
      zones: z.array(zoneSchema).min(1, 'at least one zone is required'),
    }),
  })
  .superRefine((config, context) => {
    const { cidr, zones } = config.networks;
    const networkValid = isCanonicalCidr(cidr);
    const seenZones = new Map<string, number>();
    const blocks: Array<{ cidr: string; path: string }> = [];
    zones.forEach((zone, index) => {
      const nameIssue = checkDns1123Label(zone.name, 'name');
      if (nameIssue) {
        context.addIssue({
          code: 'custom',
          path: ['networks', 'zones', index, 'name'],
          message: nameIssue.message,
        });
      }
      const first = seenZones.get(zone.name);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['networks', 'zones', index, 'name'],
          message: `zone "${zone.name}" is already defined at networks.zones[${first}]`,
        });
      } else seenZones.set(zone.name, index);
      for (const purpose of SUBNET_PURPOSES) {
        const block = zone[purpose];
        if (block === undefined || !isCanonicalCidr(block)) continue;
        const path = ['networks', 'zones', index, purpose];
        const label = `networks.zones[${index}].${purpose}`;
        if (networkValid && !cidrContains(cidr, block)) {
          context.addIssue({
            code: 'custom',
            path,
            message: `${block} must lie inside networks.cidr (${cidr})`,
          });
        }
        for (const other of blocks) {
          if (cidrOverlaps(other.cidr, block)) {
            context.addIssue({
              code: 'custom',
              path,
              message: `${block} overlaps ${other.path} (${other.cidr})`,
            });
          }
        }
        blocks.push({ cidr: block, path: label });
      }
    });
  });

/**
 * The local infrastructure config:
 * `{ networks: { cidr: '10.0.0.0/16', zones: [{ name: 'zone-a', workers: '10.0.0.0/24', public?: '10.0.100.0/24', internal?: '10.0.200.0/24' }] } }`.
 */
export type LocalInfrastructureConfig = z.output<typeof localInfrastructureConfigSchema>;

/** The local infrastructure config as a config schema (validation with field paths, JSON Schema). */
export const localInfrastructureConfig = defineConfigSchema(
  'local infrastructure config',
  localInfrastructureConfigSchema,
  { provider: LOCAL_PROVIDER },
);
