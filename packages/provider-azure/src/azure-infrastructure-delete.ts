import { isPending } from '@trellis/provider-kit';
import { type AzureInfrastructureContext, isOwned } from './azure-infrastructure-context.js';
import { stateKeys } from './azure-infrastructure-names.js';

/**
 * Deletes what the state records, as Gardener's Azure extension does, but by exact names: with a
 * VNet the user brought, first the load balancers of the cluster's group (an internal one may hold
 * an address in a subnet there) and then the subnets Trellis made in it (each by the name the state
 * records, a write-ahead mark included); then the cluster's resource group with everything in it.
 * A group named by a mark only (a create whose result was never saved) is deleted only when it
 * carries the cluster's tag. Anything already gone is success; the state shrinks as it goes.
 */
export async function deleteAzureInfrastructure(context: AzureInfrastructureContext): Promise<void> {
  const { arm, names, state } = context;
  const vnet = state.get(stateKeys.vnet);
  const subnets = state.entries().filter(([key]) => key.startsWith('subnet/'));
  const userVnet = vnet?.managed === false || !names.vnet.managed;
  if (userVnet && subnets.length > 0) {
    for (const balancer of await arm.list('loadBalancers', names.resourceGroup)) {
      await arm.delete('loadBalancers', names.resourceGroup, [balancer.name!]);
    }
    for (const [key, subnet] of subnets) {
      const name = String(subnet.attributes?.name ?? '');
      if (name) await arm.delete('subnets', names.vnet.resourceGroup, [names.vnet.name, name]);
      state.remove(key);
      await context.saveState();
    }
  }
  const group = state.get(stateKeys.resourceGroup);
  if (group) {
    const owned = !isPending(group) || isOwned(context, (await arm.getGroup(names.resourceGroup))?.tags);
    if (owned) await arm.deleteGroup(names.resourceGroup);
  }
  for (const [key] of state.entries()) state.remove(key);
  state.clearSteps();
  await context.saveState();
}
