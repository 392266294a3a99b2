import { type Cidr, cidrContains, cidrOverlaps, formatFieldPath, readConfigIpv4Cidr } from '@trellis/core';
import { ALICLOUD_RESERVED_CIDR } from './alicloud-machine-class.js';

/** A config problem with its path as segments (zod's form). */
export interface ConfigRuleIssue {
  readonly segments: Array<string | number>;
  readonly message: string;
}

interface ConfigUnderCheck {
  networks: {
    vpc: { id?: string; cidr?: string; gardenerManagedNATGateway?: boolean };
    zones: Array<{ name: string; workers: string; natGateway?: { eipAllocationID: string } }>;
  };
  nodesCidr?: string;
  podsCidr?: string;
  servicesCidr?: string;
}

/**
 * Gardener's Alicloud infrastructure rules over an already well-typed config; returns every
 * problem: exactly one of `vpc.id` / `vpc.cidr`; `gardenerManagedNATGateway` only with `vpc.id`;
 * canonical IPv4 CIDRs; zone names distinct; worker CIDRs inside the VPC CIDR and the nodes CIDR,
 * not overlapping each other, the pods or the services, and outside `100.64.0.0/10` (Alibaba
 * Cloud's reserved range); the VPC CIDR not overlapping pods or services; a user EIP named by one
 * zone only.
 */
export function checkAlicloudInfrastructureConfig(config: ConfigUnderCheck): ConfigRuleIssue[] {
  const issues: ConfigRuleIssue[] = [];
  const add = (segments: Array<string | number>, message: string) => issues.push({ segments, message });
  const read = (text: string | undefined, segments: Array<string | number>): Cidr | undefined => {
    if (text === undefined) return undefined;
    const { cidr, problem } = readConfigIpv4Cidr(text);
    if (problem) add(segments, problem);
    return cidr;
  };
  const { vpc, zones } = config.networks;
  if ((vpc.id === undefined) === (vpc.cidr === undefined))
    add(['networks', 'vpc'], 'must specify either a vpc id or a cidr');
  if (vpc.gardenerManagedNATGateway !== undefined && vpc.id === undefined)
    add(['networks', 'vpc', 'gardenerManagedNATGateway'], 'can only be set with networks.vpc.id');

  const vpcCidr = read(vpc.cidr, ['networks', 'vpc', 'cidr']);
  const nodes = read(config.nodesCidr, ['nodesCidr']);
  const outer: Array<{ cidr: Cidr; segments: Array<string | number> }> = [];
  for (const field of ['podsCidr', 'servicesCidr'] as const) {
    const cidr = read(config[field], [field]);
    if (cidr) outer.push({ cidr, segments: [field] });
  }
  if (outer.length === 2 && cidrOverlaps(outer[0]!.cidr, outer[1]!.cidr))
    add(['servicesCidr'], `"${outer[1]!.cidr.text}" overlaps podsCidr ("${outer[0]!.cidr.text}")`);
  if (vpcCidr) {
    for (const other of outer)
      if (cidrOverlaps(vpcCidr, other.cidr))
        add(
          ['networks', 'vpc', 'cidr'],
          `"${vpcCidr.text}" overlaps ${formatFieldPath(other.segments)} ("${other.cidr.text}")`,
        );
    if (nodes && !cidrContains(vpcCidr, nodes))
      add(['nodesCidr'], `"${nodes.text}" must lie within networks.vpc.cidr ("${vpcCidr.text}")`);
  }

  const names = new Map<string, number>();
  const eips = new Map<string, number>();
  const workers: Array<{ cidr: Cidr; segments: Array<string | number> }> = [];
  zones.forEach((zone, index) => {
    const path = ['networks', 'zones', index];
    const earlier = names.get(zone.name);
    if (earlier !== undefined) add([...path, 'name'], `"${zone.name}" is also networks.zones[${earlier}]`);
    else names.set(zone.name, index);
    const eip = zone.natGateway?.eipAllocationID;
    if (eip !== undefined) {
      const first = eips.get(eip);
      if (first !== undefined)
        add(
          [...path, 'natGateway', 'eipAllocationID'],
          `"${eip}" is also the EIP of networks.zones[${first}]`,
        );
      else eips.set(eip, index);
    }
    const segments = [...path, 'workers'];
    const cidr = read(zone.workers, segments);
    if (!cidr) return;
    if (cidrOverlaps(cidr, ALICLOUD_RESERVED_CIDR))
      add(
        segments,
        `"${cidr.text}" must not overlap ${ALICLOUD_RESERVED_CIDR}, which Alibaba Cloud reserves`,
      );
    if (vpcCidr && !cidrContains(vpcCidr, cidr))
      add(segments, `"${cidr.text}" must lie within networks.vpc.cidr ("${vpcCidr.text}")`);
    if (nodes && !cidrContains(nodes, cidr))
      add(segments, `"${cidr.text}" must lie within nodesCidr ("${nodes.text}")`);
    for (const other of [...workers, ...outer])
      if (cidrOverlaps(cidr, other.cidr))
        add(segments, `"${cidr.text}" overlaps ${formatFieldPath(other.segments)} ("${other.cidr.text}")`);
    workers.push({ cidr, segments });
  });
  return issues;
}
