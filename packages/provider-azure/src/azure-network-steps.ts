import { invalidArgument } from '@trellis/core';
import type { NetworkKind } from './azure-infrastructure-arm.js';
import {
  type AzureInfrastructureContext,
  isOwned,
  missingUserResource,
  notOurs,
} from './azure-infrastructure-context.js';
import { stateKeys } from './azure-infrastructure-names.js';

/**
 * The cluster's resource group: found (carrying the cluster's tag, in the request's location) or
 * made. Before the create a write-ahead mark is saved, so a process killed right after it leaves a
 * state from which delete still finds the group.
 */
export async function ensureResourceGroup(context: AzureInfrastructureContext): Promise<void> {
  const { arm, names, state, location } = context;
  const key = stateKeys.resourceGroup;
  const found = await arm.getGroup(names.resourceGroup);
  if (found) {
    if (found.location !== location) {
      throw invalidArgument(
        `resource group ${names.resourceGroup} exists in location ${found.location}, not ${location}`,
        [
          {
            path: 'region',
            message: `the cluster's resource group ${names.resourceGroup} is in ${found.location}: delete it or use that region`,
          },
        ],
        { provider: 'azure', operation: context.operation },
      );
    }
    if (!isOwned(context, found.tags) && !state.id(key))
      throw notOurs(context, `resource group ${names.resourceGroup}`);
    state.set(key, { id: found.id!, kind: 'resourceGroup' });
    return;
  }
  state.markPending(key, { kind: 'resourceGroup', name: names.resourceGroup });
  await context.saveState();
  const made = await arm.putGroup(names.resourceGroup, { location, tags: context.tags });
  state.set(key, { id: made.id!, kind: 'resourceGroup' });
}

/** The VNet: the user's (read only; it must exist) or the cluster's (made, grown when its CIDR grows). */
export async function ensureVnet(context: AzureInfrastructureContext): Promise<void> {
  const { arm, names, state, config } = context;
  const { vnet } = names;
  const found = await arm.get('virtualNetworks', vnet.resourceGroup, [vnet.name]);
  if (!vnet.managed) {
    if (!found)
      throw missingUserResource(
        context,
        'networks.vnet.name',
        `VNet ${vnet.name} in resource group ${vnet.resourceGroup}`,
      );
    state.set(stateKeys.vnet, { id: found.id!, kind: 'virtualNetwork', managed: false });
    return;
  }
  const cidr = config.networks.vnet?.cidr ?? config.networks.workers!;
  const prefixes = (found?.addressSpace as { addressPrefixes?: string[] } | undefined)?.addressPrefixes ?? [];
  let current = found;
  if (!found || !prefixes.includes(cidr)) {
    const ddos = config.networks.vnet?.ddosProtectionPlanID;
    current = await arm.put('virtualNetworks', vnet.resourceGroup, [vnet.name], {
      location: context.location,
      tags: context.tags,
      addressSpace: { addressPrefixes: [cidr] },
      // A VNet PUT without its subnets would remove them: keep those it has.
      ...(found?.subnets ? { subnets: found.subnets } : {}),
      ...(ddos ? { enableDdosProtection: true, ddosProtectionPlan: { id: ddos } } : {}),
    });
  }
  state.set(stateKeys.vnet, {
    id: current!.id!,
    kind: 'virtualNetwork',
    attributes: { cidr, zoned: Boolean(config.zoned) },
  });
}

/**
 * A resource of the cluster's group that is made once and then left as it is (the route table,
 * whose routes the cloud-controller-manager writes; the security group, whose rules it adds).
 */
async function ensureKept(
  context: AzureInfrastructureContext,
  kind: NetworkKind,
  key: string,
  name: string,
): Promise<void> {
  const { arm, names, state } = context;
  const found =
    (await arm.get(kind, names.resourceGroup, [name])) ??
    (await arm.put(kind, names.resourceGroup, [name], { location: context.location, tags: context.tags }));
  state.set(key, { id: found.id!, kind });
}

export const ensureRouteTable = (context: AzureInfrastructureContext) =>
  ensureKept(context, 'routeTables', stateKeys.routeTable, context.names.routeTable);

export const ensureSecurityGroup = (context: AzureInfrastructureContext) =>
  ensureKept(context, 'networkSecurityGroups', stateKeys.securityGroup, context.names.securityGroup);

/** The user-assigned identity the config names: looked up (never made), its id and client id recorded. */
export async function ensureIdentity(context: AzureInfrastructureContext): Promise<void> {
  const identity = context.config.identity!;
  const found = await context.arm.getIdentity(identity.resourceGroup, identity.name);
  if (!found) {
    throw missingUserResource(
      context,
      'identity.name',
      `managed identity ${identity.name} in resource group ${identity.resourceGroup}`,
    );
  }
  context.state.set('identity', {
    id: found.id,
    kind: 'userAssignedIdentity',
    managed: false,
    attributes: { clientId: found.clientId, acrAccess: Boolean(identity.acrAccess) },
  });
}

/** A subnet of a VNet the user brought is the cluster's only when the state names it (a mark included). */
export function checkSubnetOwnership(context: AzureInfrastructureContext, key: string, name: string): void {
  if (!context.names.vnet.managed && context.state.get(key) === undefined) {
    throw notOurs(context, `subnet ${name} of VNet ${context.names.vnet.name}`);
  }
}
