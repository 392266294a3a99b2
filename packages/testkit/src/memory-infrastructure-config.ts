import { cidrContains, cidrOverlaps, defineConfigSchema, isCanonicalCidr, z } from '@trellis/core';

const cidr = z.string().refine(isCanonicalCidr, 'must be a CIDR in canonical form, like 10.0.0.0/16');

/** The infrastructure config of the in-memory provider: one network, one node subnet per zone. */
export const memoryInfrastructureConfigSchema = defineConfigSchema(
  'memory infrastructure config',
  z
    .object({
      /** The network's CIDR. */
      networkCidr: cidr,
      /** One node subnet per zone. */
      zones: z.array(z.object({ name: z.string().min(1), nodesCidr: cidr })).min(1),
    })
    .superRefine((config, context) => {
      const seen = new Set<string>();
      config.zones.forEach((zone, index) => {
        if (seen.has(zone.name)) {
          context.addIssue({
            code: 'custom',
            path: ['zones', index, 'name'],
            message: `duplicate zone ${zone.name}`,
          });
        }
        seen.add(zone.name);
        if (!isCanonicalCidr(config.networkCidr) || !isCanonicalCidr(zone.nodesCidr)) return;
        if (!cidrContains(config.networkCidr, zone.nodesCidr)) {
          context.addIssue({
            code: 'custom',
            path: ['zones', index, 'nodesCidr'],
            message: `must lie inside networkCidr ${config.networkCidr}`,
          });
        }
        const overlapping = config.zones.findIndex(
          (other, otherIndex) =>
            otherIndex < index &&
            isCanonicalCidr(other.nodesCidr) &&
            cidrOverlaps(other.nodesCidr, zone.nodesCidr),
        );
        if (overlapping >= 0) {
          context.addIssue({
            code: 'custom',
            path: ['zones', index, 'nodesCidr'],
            message: `overlaps zones[${overlapping}].nodesCidr`,
          });
        }
      });
    }),
  { provider: 'memory' },
);

/** The infrastructure config of the in-memory provider. */
export type MemoryInfrastructureConfig = z.input<typeof memoryInfrastructureConfigSchema.schema>;
