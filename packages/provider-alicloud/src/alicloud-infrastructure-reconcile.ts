import type { GraphStep } from '@trellis/provider-kit';
import type { AlicloudInfrastructureContext } from './alicloud-infrastructure-context.js';
import { stateKeys } from './alicloud-infrastructure-names.js';
import { ensureEip, ensureEipAssociation, ensureNatGateway, ensureSnatEntry } from './alicloud-nat-steps.js';
import { ensureSecurityGroup } from './alicloud-security-group-step.js';
import { ensureVpc, ensureVSwitch } from './alicloud-vpc-steps.js';

/**
 * The reconcile graph: VPC (after checking what the config names) → security group ‖ vSwitches ‖
 * EIPs; the first zone's vSwitch → NAT gateway; NAT gateway and a zone's EIP → association; the
 * association and the zone's vSwitch → SNAT entry.
 */
export function planAlicloudReconcile(context: AlicloudInfrastructureContext): GraphStep[] {
  const zones = context.config.networks.zones;
  const step = (name: string, dependsOn: string[], run: () => Promise<void>): GraphStep => ({
    name,
    dependsOn,
    run,
  });
  return [
    step(stateKeys.vpc, [], () => ensureVpc(context)),
    step(stateKeys.securityGroup, [stateKeys.vpc], () => ensureSecurityGroup(context)),
    ...zones.map((zone) =>
      step(stateKeys.vswitch(zone.name), [stateKeys.vpc], () => ensureVSwitch(context, zone)),
    ),
    step(stateKeys.natGateway, [stateKeys.vswitch(zones[0]!.name)], () => ensureNatGateway(context)),
    ...zones.flatMap((zone, index) => [
      step(stateKeys.eip(zone.name), [stateKeys.vpc], () => ensureEip(context, zone)),
      step(stateKeys.association(zone.name), [stateKeys.natGateway, stateKeys.eip(zone.name)], () =>
        ensureEipAssociation(context, zone.name, index),
      ),
      step(stateKeys.snat(zone.name), [stateKeys.association(zone.name), stateKeys.vswitch(zone.name)], () =>
        ensureSnatEntry(context, zone.name),
      ),
    ]),
  ];
}
