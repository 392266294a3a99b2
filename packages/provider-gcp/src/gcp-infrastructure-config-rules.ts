import { type Cidr, cidrOverlaps, formatFieldPath, readConfigIpv4Cidr } from '@trellis/core';

/** A config problem with its path as segments (zod's form). */
export interface ConfigRuleIssue {
  readonly segments: Array<string | number>;
  readonly message: string;
}

interface ConfigUnderCheck {
  networks: {
    vpc?: { name: string; cloudRouter?: { name: string } };
    workers: string;
    internal?: string;
    mtu?: number;
    flowLogs?: { aggregationInterval?: string; flowSampling?: number; metadata?: string };
    cloudNAT?: {
      minPortsPerVM?: number;
      maxPortsPerVM?: number;
      enableDynamicPortAllocation?: boolean;
      endpointIndependentMapping?: { enabled: boolean };
      natIPNames?: Array<{ name: string }>;
    };
  };
  podsCidr?: string;
  servicesCidr?: string;
}

const isPowerOfTwo = (value: number) => value > 0 && (value & (value - 1)) === 0;

/**
 * Gardener's GCP infrastructure validation rules over an already well-typed config; returns every
 * problem: canonical IPv4 CIDRs; workers, internal, pods and services not overlapping; `mtu` only
 * for a VPC Trellis creates; flow logs with at least one field; NAT IP names non-empty and
 * distinct; dynamic port allocation with power-of-two port bounds (min ≤ max) and not together
 * with endpoint-independent mapping; `maxPortsPerVM` only with dynamic port allocation.
 */
export function checkGcpInfrastructureConfig(config: ConfigUnderCheck): ConfigRuleIssue[] {
  const issues: ConfigRuleIssue[] = [];
  const add = (segments: Array<string | number>, message: string) => issues.push({ segments, message });
  const named: Array<{ cidr: Cidr; segments: Array<string | number> }> = [];
  const read = (text: string | undefined, segments: Array<string | number>) => {
    if (text === undefined) return;
    const { cidr, problem } = readConfigIpv4Cidr(text);
    if (problem) add(segments, problem);
    if (cidr) named.push({ cidr, segments });
  };
  const { networks } = config;
  read(networks.workers, ['networks', 'workers']);
  read(networks.internal, ['networks', 'internal']);
  read(config.podsCidr, ['podsCidr']);
  read(config.servicesCidr, ['servicesCidr']);
  named.forEach((first, index) => {
    for (const second of named.slice(0, index)) {
      if (cidrOverlaps(first.cidr, second.cidr)) {
        add(
          first.segments,
          `"${first.cidr.text}" overlaps ${formatFieldPath(second.segments)} ("${second.cidr.text}")`,
        );
      }
    }
  });

  if (networks.vpc && networks.mtu !== undefined) {
    add(['networks', 'mtu'], 'can only be set for a VPC network Trellis creates (not with networks.vpc)');
  }
  const flowLogs = networks.flowLogs;
  if (flowLogs && Object.values(flowLogs).every((value) => value === undefined)) {
    add(['networks', 'flowLogs'], 'must set at least one of aggregationInterval, flowSampling, metadata');
  }

  const nat = networks.cloudNAT;
  if (nat) {
    const path = ['networks', 'cloudNAT'];
    if (nat.natIPNames !== undefined) {
      if (nat.natIPNames.length === 0) add([...path, 'natIPNames'], 'must not be empty when given');
      const seen = new Set<string>();
      nat.natIPNames.forEach(({ name }, index) => {
        if (seen.has(name)) add([...path, 'natIPNames', index, 'name'], `"${name}" is listed twice`);
        seen.add(name);
      });
    }
    if (nat.enableDynamicPortAllocation) {
      if (nat.endpointIndependentMapping?.enabled) {
        add(
          [...path, 'endpointIndependentMapping', 'enabled'],
          'cannot be enabled together with enableDynamicPortAllocation',
        );
      }
      const min = nat.minPortsPerVM ?? 32;
      const max = nat.maxPortsPerVM ?? 65536;
      if (nat.minPortsPerVM !== undefined && (!isPowerOfTwo(min) || min < 32)) {
        add([...path, 'minPortsPerVM'], 'must be a power of two of at least 32 with dynamic port allocation');
      }
      if (nat.maxPortsPerVM !== undefined && (!isPowerOfTwo(max) || max < 64)) {
        add([...path, 'maxPortsPerVM'], 'must be a power of two of at least 64 with dynamic port allocation');
      }
      if (min > max) add([...path, 'minPortsPerVM'], `must not exceed maxPortsPerVM (${max})`);
    } else if (nat.maxPortsPerVM !== undefined) {
      add([...path, 'maxPortsPerVM'], 'can only be set with enableDynamicPortAllocation: true');
    }
  }
  return issues;
}
