import type { FieldIssue, InfrastructureState } from '@trellis/core';
import { recordedResource } from '@trellis/provider-kit';
import type { AlicloudInfrastructureConfig } from './alicloud-infrastructure-config.js';
import { stateKeys } from './alicloud-infrastructure-names.js';

const IMMUTABLE = 'is immutable';

/**
 * The problems of reconciling `next` over a state an earlier reconcile wrote, with Gardener's
 * update rules: the VPC (its id, or the CIDR of the one Trellis made) and the NAT gateway choice
 * stay; zones can be added, not removed; a zone's workers CIDR stays. A zone's EIP stays too
 * (Gardener re-binds a changed one; Trellis refuses the change rather than leave the old EIP).
 */
export function checkAlicloudInfrastructureStateUpdate(
  state: InfrastructureState | undefined,
  next: AlicloudInfrastructureConfig,
): FieldIssue[] {
  if (!state) return [];
  const issues: FieldIssue[] = [];
  const recorded = (key: string) => recordedResource(state, key);
  const vpc = recorded(stateKeys.vpc);
  if (vpc) {
    if (vpc.managed === false ? vpc.id !== next.networks.vpc.id : next.networks.vpc.id !== undefined)
      issues.push({ path: 'networks.vpc.id', message: IMMUTABLE });
    else if (vpc.managed !== false && vpc.attributes?.cidr !== next.networks.vpc.cidr)
      issues.push({ path: 'networks.vpc.cidr', message: IMMUTABLE });
  }
  const nat = recorded(stateKeys.natGateway);
  if (
    nat &&
    next.networks.vpc.id !== undefined &&
    (nat.managed !== false) !== (next.networks.vpc.gardenerManagedNATGateway === true)
  )
    issues.push({ path: 'networks.vpc.gardenerManagedNATGateway', message: IMMUTABLE });

  const zones = new Map(next.networks.zones.map((zone, index) => [zone.name, { zone, index }]));
  for (const [key, resource] of Object.entries(state.resources)) {
    const match = /^vswitch\/(.+)$/.exec(key);
    if (!match || resource.attributes?.pending === true) continue;
    const zone = zones.get(match[1]!);
    if (!zone) {
      issues.push({ path: 'networks.zones', message: `zone ${match[1]} cannot be removed` });
      continue;
    }
    if (resource.attributes?.cidr !== zone.zone.workers)
      issues.push({ path: `networks.zones[${zone.index}].workers`, message: IMMUTABLE });
  }
  for (const [name, { zone, index }] of zones) {
    const eip = recorded(stateKeys.eip(name));
    if (!eip) continue;
    const previous = eip.managed === false ? eip.id : undefined;
    if (previous !== zone.natGateway?.eipAllocationID)
      issues.push({ path: `networks.zones[${index}].natGateway.eipAllocationID`, message: IMMUTABLE });
  }
  return issues;
}

/**
 * The same rules between two configs (what a tool checks before it reconciles an edited config):
 * the VPC, the NAT gateway choice, zones (added only), each zone's workers and EIP.
 */
export function checkAlicloudInfrastructureConfigUpdate(
  previous: AlicloudInfrastructureConfig,
  next: AlicloudInfrastructureConfig,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const before = previous.networks;
  const after = next.networks;
  if ((before.vpc.id ?? null) !== (after.vpc.id ?? null))
    issues.push({ path: 'networks.vpc.id', message: IMMUTABLE });
  if ((before.vpc.cidr ?? null) !== (after.vpc.cidr ?? null))
    issues.push({ path: 'networks.vpc.cidr', message: IMMUTABLE });
  if ((before.vpc.gardenerManagedNATGateway ?? false) !== (after.vpc.gardenerManagedNATGateway ?? false))
    issues.push({ path: 'networks.vpc.gardenerManagedNATGateway', message: IMMUTABLE });
  const zones = new Map(after.zones.map((zone, index) => [zone.name, { zone, index }]));
  for (const zone of before.zones) {
    const now = zones.get(zone.name);
    if (!now) {
      issues.push({ path: 'networks.zones', message: `zone ${zone.name} cannot be removed` });
      continue;
    }
    if (now.zone.workers !== zone.workers)
      issues.push({ path: `networks.zones[${now.index}].workers`, message: IMMUTABLE });
    if (now.zone.natGateway?.eipAllocationID !== zone.natGateway?.eipAllocationID)
      issues.push({ path: `networks.zones[${now.index}].natGateway.eipAllocationID`, message: IMMUTABLE });
  }
  return issues;
}
