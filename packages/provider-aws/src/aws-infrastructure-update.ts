import type { CreatedResource, FieldIssue, InfrastructureState } from '@trellis/core';
import type { AwsInfrastructureConfig } from './aws-infrastructure-config.js';
import { SUBNET_PURPOSES, type SubnetPurpose, stateKeys } from './aws-infrastructure-names.js';

const CONFIG_FIELD = { nodes: 'workers', public: 'public', internal: 'internal' } as const;
const IMMUTABLE = 'is immutable';

/**
 * The problems of reconciling `next` over a state an earlier reconcile wrote, with the rules of
 * `checkAwsInfrastructureConfigUpdate`: the VPC (id, CIDR) stays, zones are never removed, and an
 * existing zone keeps its CIDRs, subnet ids and elastic IP. The earlier config is read from what
 * the state records (the VPC, every subnet, every elastic IP, managed or brought), so only what
 * the state knows is checked: a reconcile interrupted before a zone's subnets were recorded leaves
 * that zone free to change.
 */
export function checkInfrastructureStateUpdate(
  state: InfrastructureState | undefined,
  next: AwsInfrastructureConfig,
): FieldIssue[] {
  if (!state) return [];
  const issues: FieldIssue[] = [];
  const { resources } = state;
  const completed = new Set(state.completedSteps);
  const immutable = (path: string) => issues.push({ path, message: IMMUTABLE });

  const vpc = resources[stateKeys.vpc];
  if (vpc) {
    const previousId = vpc.managed === false ? vpc.id : undefined;
    const previousCidr = vpc.managed === false ? undefined : cidrOf(vpc);
    if (previousId !== next.networks.vpc.id) immutable('networks.vpc.id');
    const cidrKnown = vpc.managed === false || previousCidr !== undefined;
    if (cidrKnown && previousCidr !== next.networks.vpc.cidr) immutable('networks.vpc.cidr');
  }

  const recordedZones = new Set<string>();
  for (const key of Object.keys(resources)) {
    const [kind, zone] = key.split('/');
    if ((kind === 'subnet' || kind === 'elastic-ip') && zone) recordedZones.add(zone);
  }
  for (const zone of recordedZones) {
    const index = next.networks.zones.findIndex((candidate) => candidate.name === zone);
    if (index < 0) {
      issues.push({ path: 'networks.zones', message: `zone "${zone}" may not be removed` });
      continue;
    }
    const nextZone = next.networks.zones[index]!;
    const path = `networks.zones[${index}]`;
    let subnetIdsChanged = false;
    for (const purpose of SUBNET_PURPOSES) {
      const field = CONFIG_FIELD[purpose];
      const subnet = resources[stateKeys.subnet(zone, purpose)];
      if (!subnet) {
        // The step ran and recorded nothing: the zone brought its subnets and left this one out.
        const left = completed.has(stepOf(zone, purpose)) && nextZone.subnetIds?.[field] !== undefined;
        if (left) subnetIdsChanged = true;
        continue;
      }
      if (subnet.managed === false) {
        if (nextZone[field] !== undefined) immutable(`${path}.${field}`);
        if (nextZone.subnetIds?.[field] !== subnet.id) subnetIdsChanged = true;
      } else {
        const cidr = cidrOf(subnet);
        if (cidr !== undefined && nextZone[field] !== cidr) immutable(`${path}.${field}`);
        if (nextZone.subnetIds !== undefined) subnetIdsChanged = true;
      }
    }
    if (subnetIdsChanged) immutable(`${path}.subnetIds`);
    const address = resources[stateKeys.elasticIp(zone)];
    if (address) {
      const previous = address.managed === false ? address.id : undefined;
      if (previous !== nextZone.elasticIPAllocationID) immutable(`${path}.elasticIPAllocationID`);
    }
  }
  return issues;
}

function stepOf(zone: string, purpose: SubnetPurpose): string {
  return `subnet/${zone}/${purpose}`;
}

function cidrOf(resource: CreatedResource): string | undefined {
  const cidr = resource.attributes?.cidr;
  return typeof cidr === 'string' && cidr.length > 0 ? cidr : undefined;
}
