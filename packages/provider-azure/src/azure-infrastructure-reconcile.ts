import type { GraphStep } from '@trellis/provider-kit';
import type { AzureInfrastructureContext } from './azure-infrastructure-context.js';
import { ensureNat, ensurePublicIp, plannedNatKeys, pruneNats } from './azure-nat-steps.js';
import {
  ensureIdentity,
  ensureResourceGroup,
  ensureRouteTable,
  ensureSecurityGroup,
  ensureVnet,
} from './azure-network-steps.js';
import { ensureSubnet } from './azure-subnet-step.js';

/**
 * Gardener's Azure reconcile graph: resource group → VNet ‖ route table ‖ security group ‖ public
 * IPs → NAT gateways → subnets; the identity lookup beside them; NAT gateways and IPs the config no
 * longer asks for are deleted once the subnets let go of them.
 */
export function planReconcile(context: AzureInfrastructureContext): GraphStep[] {
  const { config, names, state } = context;
  const steps: GraphStep[] = [];
  const step = (name: string, dependsOn: string[], run: () => Promise<void>) =>
    steps.push({ name, dependsOn, run });

  step('resource-group', [], () => ensureResourceGroup(context));
  step('vnet', ['resource-group'], () => ensureVnet(context));
  step('route-table', ['resource-group'], () => ensureRouteTable(context));
  step('security-group', ['resource-group'], () => ensureSecurityGroup(context));
  if (config.identity) step('identity', [], () => ensureIdentity(context));
  const subnetSteps: string[] = [];
  for (const subnet of names.subnets) {
    const dependsOn = ['vnet', 'route-table', 'security-group'];
    const nat = subnet.nat;
    if (nat) {
      const natDependsOn = ['resource-group'];
      if (nat.managedIp) {
        step(`public-ip/${nat.managedIp.name}`, ['resource-group'], () => ensurePublicIp(context, nat));
        natDependsOn.push(`public-ip/${nat.managedIp.name}`);
      }
      step(`nat/${nat.name}`, natDependsOn, () => ensureNat(context, nat));
      dependsOn.push(`nat/${nat.name}`);
    }
    step(`subnet/${subnet.key}`, dependsOn, () => ensureSubnet(context, subnet));
    subnetSteps.push(`subnet/${subnet.key}`);
  }
  const keep = plannedNatKeys(context);
  const stale = state
    .entries()
    .some(([key]) => (key.startsWith('nat/') || key.startsWith('public-ip/')) && !keep.has(key));
  if (stale) step('prune-nat-gateways', subnetSteps, () => pruneNats(context, keep));
  return steps;
}
