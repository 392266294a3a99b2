import { type Cidr, cidrContains, cidrOverlaps, formatFieldPath, readConfigIpv4Cidr } from '@trellis/core';

/** A config problem with its path as segments (zod's form). */
export interface ConfigRuleIssue {
  readonly segments: Array<string | number>;
  readonly message: string;
}

interface ConfigUnderCheck {
  networks: {
    vpc: { id?: string; cidr?: string; gatewayEndpoints?: string[] };
    zones: Array<{
      name: string;
      workers?: string;
      public?: string;
      internal?: string;
      subnetIds?: { workers: string; public?: string; internal?: string };
      elasticIPAllocationID?: string;
    }>;
  };
  ignoreTags?: { keys?: string[]; keyPrefixes?: string[] };
  nodesCidr?: string;
  podsCidr?: string;
  servicesCidr?: string;
}

interface NamedCidr {
  readonly cidr: Cidr;
  readonly segments: Array<string | number>;
}

const GATEWAY_ENDPOINT = /^\w+(\.\w+)*$/;
const RESERVED_TAG_KEYS = ['Name'];
const RESERVED_TAG_PREFIXES = ['kubernetes.io/', 'gardener.cloud/'];
const SUBNET_PURPOSES = ['workers', 'public', 'internal'] as const;

/**
 * Gardener's AWS infrastructure validation rules over an already well-typed config; returns every
 * problem. CIDRs must parse, be canonical, lie inside the VPC, not overlap each other nor the pod
 * and service networks, and workers must lie inside the node network.
 */
export function checkInfrastructureConfig(config: ConfigUnderCheck): ConfigRuleIssue[] {
  const issues: ConfigRuleIssue[] = [];
  const add = (segments: Array<string | number>, message: string) => issues.push({ segments, message });
  const parse = (text: string | undefined, segments: Array<string | number>): Cidr | undefined => {
    if (text === undefined) return undefined;
    const { cidr, problem } = readConfigIpv4Cidr(text);
    if (problem) add(segments, problem);
    return cidr;
  };

  const { vpc, zones } = config.networks;
  if (zones.length === 0) add(['networks', 'zones'], 'must specify at least the networks for one zone');
  if ((vpc.id === undefined) === (vpc.cidr === undefined)) {
    add(['networks', 'vpc'], 'must specify either a vpc id or a cidr');
  }
  const vpcCidr = vpc.id === undefined ? parse(vpc.cidr, ['networks', 'vpc', 'cidr']) : undefined;
  const nodes = parse(config.nodesCidr, ['nodesCidr']);
  const pods = parse(config.podsCidr, ['podsCidr']);
  const services = parse(config.servicesCidr, ['servicesCidr']);

  const zoneNames = new Set<string>();
  const allocationIds = new Set<string>();
  const subnetIds = new Set<string>();
  const cidrs: NamedCidr[] = [];
  const workers: NamedCidr[] = [];
  let managedZones = 0;
  zones.forEach((zone, index) => {
    const path = ['networks', 'zones', index];
    if (zoneNames.has(zone.name)) add([...path, 'name'], `zone "${zone.name}" is listed twice`);
    zoneNames.add(zone.name);
    if (zone.subnetIds) {
      for (const purpose of SUBNET_PURPOSES) {
        if (zone[purpose] !== undefined) add([...path, purpose], 'must not be set together with subnetIds');
        const id = zone.subnetIds[purpose];
        if (id === undefined) continue;
        if (subnetIds.has(id)) add([...path, 'subnetIds', purpose], `subnet "${id}" is used twice`);
        subnetIds.add(id);
      }
      if (vpc.id === undefined)
        add([...path, 'subnetIds'], 'existing subnets need an existing VPC (networks.vpc.id)');
      if (zone.elasticIPAllocationID !== undefined) {
        add([...path, 'elasticIPAllocationID'], 'is only used by managed zones (which get a NAT gateway)');
      }
    } else {
      managedZones++;
      for (const purpose of SUBNET_PURPOSES) {
        if (zone[purpose] === undefined) {
          add([...path, purpose], 'is required (or give existing subnets in subnetIds)');
          continue;
        }
        const cidr = parse(zone[purpose], [...path, purpose]);
        if (!cidr) continue;
        cidrs.push({ cidr, segments: [...path, purpose] });
        if (purpose === 'workers') workers.push({ cidr, segments: [...path, purpose] });
      }
    }
    const allocation = zone.elasticIPAllocationID;
    if (allocation !== undefined) {
      if (!allocation.startsWith('eipalloc-'))
        add([...path, 'elasticIPAllocationID'], 'must start with eipalloc-');
      if (allocationIds.has(allocation)) {
        add([...path, 'elasticIPAllocationID'], `"${allocation}" cannot be used for multiple zones`);
      }
      allocationIds.add(allocation);
    }
  });
  if (managedZones > 0 && managedZones < zones.length) {
    add(['networks', 'zones'], 'either every zone gives subnetIds (bring your own) or none does');
  }

  cidrs.forEach((first, index) => {
    for (const second of cidrs.slice(0, index)) {
      if (cidrOverlaps(first.cidr, second.cidr)) {
        add(
          first.segments,
          `"${first.cidr.text}" overlaps ${formatFieldPath(second.segments)} ("${second.cidr.text}")`,
        );
      }
    }
  });
  if (vpcCidr) {
    if (nodes && !cidrContains(vpcCidr, nodes)) add(['nodesCidr'], `must lie inside networks.vpc.cidr`);
    for (const { cidr, segments } of cidrs) {
      if (!cidrContains(vpcCidr, cidr)) add(segments, `"${cidr.text}" must lie inside networks.vpc.cidr`);
    }
    if (pods && cidrOverlaps(vpcCidr, pods)) add(['podsCidr'], 'must not overlap networks.vpc.cidr');
    if (services && cidrOverlaps(vpcCidr, services))
      add(['servicesCidr'], 'must not overlap networks.vpc.cidr');
  }
  for (const [network, name] of [
    [pods, 'podsCidr'],
    [services, 'servicesCidr'],
  ] as const) {
    if (!network) continue;
    for (const { cidr, segments } of cidrs) {
      if (cidrOverlaps(network, cidr))
        add(segments, `"${cidr.text}" must not overlap ${name} ("${network.text}")`);
    }
  }
  if (nodes) {
    for (const { cidr, segments } of workers) {
      if (!cidrContains(nodes, cidr))
        add(segments, `"${cidr.text}" must lie inside nodesCidr ("${nodes.text}")`);
    }
  }

  const endpoints = new Set<string>();
  (vpc.gatewayEndpoints ?? []).forEach((endpoint, index) => {
    const segments = ['networks', 'vpc', 'gatewayEndpoints', index];
    if (!GATEWAY_ENDPOINT.test(endpoint)) add(segments, `"${endpoint}" must be a service name such as "s3"`);
    if (endpoints.has(endpoint)) add(segments, `"${endpoint}" is listed twice`);
    endpoints.add(endpoint);
  });

  (config.ignoreTags?.keys ?? []).forEach((key, index) => {
    if (RESERVED_TAG_KEYS.includes(key) || RESERVED_TAG_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      add(['ignoreTags', 'keys', index], `"${key}" is a reserved tag key and cannot be ignored`);
    }
  });
  (config.ignoreTags?.keyPrefixes ?? []).forEach((prefix, index) => {
    const reserved = [...RESERVED_TAG_KEYS, ...RESERVED_TAG_PREFIXES];
    if (reserved.some((key) => key.startsWith(prefix) || prefix.startsWith(key))) {
      add(['ignoreTags', 'keyPrefixes', index], `"${prefix}" covers reserved tag keys and cannot be ignored`);
    }
  });
  return issues;
}
