import type { GraphStep } from '@trellis/provider-kit';
import { CALL_OPTIONS } from './gcp-compute-clients.js';
import { ensureFirewall } from './gcp-firewall-steps.js';
import { deleteNamed, type GcpInfrastructureContext } from './gcp-infrastructure-context.js';
import { FIREWALL_RULES, stateKeys } from './gcp-infrastructure-names.js';
import { ensureNat } from './gcp-nat-step.js';
import { ensureNetwork, ensureRouter, ensureSubnet } from './gcp-network-steps.js';
import { ensureServiceAccount } from './gcp-service-account-step.js';

/** Deletes the internal subnet a config no longer asks for. */
async function removeInternalSubnet(context: GcpInfrastructureContext): Promise<void> {
  const { compute, project, region, names, state } = context;
  await deleteNamed(context, 'subnetworks', (requestId) =>
    compute.subnetworks.delete(
      { project, region, subnetwork: names.internalSubnet, requestId },
      CALL_OPTIONS,
    ),
  );
  state.remove(stateKeys.subnet('internal'));
}

/**
 * Gardener's reconcile graph: network → nodes subnet, internal subnet, router; router and nodes
 * subnet → Cloud NAT; network and subnets → firewall rules; the service account beside them.
 */
export function planReconcile(context: GcpInfrastructureContext): GraphStep[] {
  const { config, state } = context;
  const steps: GraphStep[] = [];
  const step = (name: string, dependsOn: string[], run: () => Promise<void>) =>
    steps.push({ name, dependsOn, run });

  step('network', [], () => ensureNetwork(context));
  // After the network only so that a wrong bring-your-own VPC fails first.
  step('service-account', ['network'], () => ensureServiceAccount(context));
  step('subnet/nodes', ['network'], () => ensureSubnet(context, 'nodes'));
  const subnets = ['subnet/nodes'];
  if (config.networks.internal) {
    step('subnet/internal', ['network'], () => ensureSubnet(context, 'internal'));
    subnets.push('subnet/internal');
  } else if (state.get(stateKeys.subnet('internal'))) {
    step('subnet/internal', ['network'], () => removeInternalSubnet(context));
  }
  step('router', ['network'], () => ensureRouter(context));
  step('nat', ['router', 'subnet/nodes'], () => ensureNat(context));
  for (const rule of FIREWALL_RULES) {
    step(`firewall/${rule}`, ['network', ...subnets], () => ensureFirewall(context, rule));
  }
  return steps;
}
