import { createHash } from 'node:crypto';
import type { CreatedResource, InfrastructureState, InfrastructureStatus, ZoneSubnets } from '@trellis/core';
import type { LocalInfrastructureConfig } from './local-infrastructure-config.js';

/** One reconcile step: the resource it ensures, by logical key. */
export interface InfrastructureStep {
  /** Logical key in the state: `network`, `subnet/<zone>/<purpose>`, `security-group`. */
  readonly key: string;
  readonly kind: 'network' | 'subnet' | 'security-group';
  /** What the resource must look like; a resource with other attributes is replaced. */
  readonly attributes: Readonly<Record<string, string>>;
}

const ID_PREFIX = { network: 'net', subnet: 'subnet', 'security-group': 'sg' } as const;
const PURPOSE_IN_STATUS = { workers: 'nodes', public: 'public', internal: 'internal' } as const;

/**
 * A resource's id, derived from what it is for (like a cloud client token): a reconcile that lost
 * its state after creating a resource finds the same resource again instead of making a second.
 */
export function resourceId(cluster: string, region: string, step: InfrastructureStep): string {
  const digest = createHash('sha256').update(`${cluster}\n${region}\n${step.key}`).digest('hex');
  return `${ID_PREFIX[step.kind]}-${digest.slice(0, 16)}`;
}

/** The steps of a reconcile in dependency order: network, subnets per zone and purpose, security group. */
export function infrastructureSteps(config: LocalInfrastructureConfig): InfrastructureStep[] {
  const steps: InfrastructureStep[] = [
    { key: 'network', kind: 'network', attributes: { cidr: config.networks.cidr } },
  ];
  for (const zone of config.networks.zones) {
    for (const purpose of ['workers', 'public', 'internal'] as const) {
      const cidr = zone[purpose];
      if (cidr === undefined) continue;
      steps.push({
        key: `subnet/${zone.name}/${PURPOSE_IN_STATUS[purpose]}`,
        kind: 'subnet',
        attributes: { zone: zone.name, purpose: PURPOSE_IN_STATUS[purpose], cidr },
      });
    }
  }
  steps.push({ key: 'security-group', kind: 'security-group', attributes: { ingress: 'network' } });
  return steps;
}

/** True when a recorded resource has every desired attribute. */
export function sameAttributes(resource: CreatedResource, step: InfrastructureStep): boolean {
  return Object.entries(step.attributes).every(([name, value]) => resource.attributes?.[name] === value);
}

/** The status a state describes. */
export function statusOf(state: InfrastructureState): InfrastructureStatus {
  const zones = new Map<string, { nodes?: string; public?: string; internal?: string }>();
  for (const [key, resource] of Object.entries(state.resources)) {
    const match = /^subnet\/([^/]+)\/(nodes|public|internal)$/.exec(key);
    if (!match) continue;
    const [, zone, purpose] = match as unknown as [string, string, 'nodes' | 'public' | 'internal'];
    zones.set(zone, { ...zones.get(zone), [purpose]: resource.id });
  }
  const subnets: ZoneSubnets[] = [...zones.entries()]
    .filter(([, subnet]) => subnet.nodes !== undefined)
    .map(([zone, subnet]) => ({ zone, nodes: subnet.nodes as string, ...withoutUndefined(subnet) }));
  const securityGroup = state.resources['security-group'];
  return {
    networkId: state.resources.network?.id ?? '',
    subnets,
    securityGroupIds: securityGroup ? [securityGroup.id] : [],
    egressAddresses: [],
  };
}

function withoutUndefined(subnet: { public?: string; internal?: string }) {
  return {
    ...(subnet.public === undefined ? {} : { public: subnet.public }),
    ...(subnet.internal === undefined ? {} : { internal: subnet.internal }),
  };
}
