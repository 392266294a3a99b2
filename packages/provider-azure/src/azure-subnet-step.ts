import type { NetworkResource } from './azure-infrastructure-arm.js';
import type { AzureInfrastructureContext } from './azure-infrastructure-context.js';
import { type PlannedSubnet, stateKeys } from './azure-infrastructure-names.js';
import { checkSubnetOwnership } from './azure-network-steps.js';

const idOf = (value: unknown) => (value as { id?: string } | undefined)?.id;
const sameId = (first: string | undefined, second: string | undefined) =>
  (first ?? '').toLowerCase() === (second ?? '').toLowerCase();

/**
 * A nodes subnet with its address prefix, service endpoints, the cluster's security group and
 * route table, and its NAT gateway; written when missing or when any of those differ. A NAT gateway
 * the user attached from another resource group is kept. In a VNet the user brought, a write-ahead
 * mark is saved before the create (delete must find the subnet by its exact name).
 */
export async function ensureSubnet(
  context: AzureInfrastructureContext,
  subnet: PlannedSubnet,
): Promise<void> {
  const { arm, names, state } = context;
  const key = stateKeys.subnet(subnet.key);
  const path = [names.vnet.name, subnet.name];
  const found = await arm.get('subnets', names.vnet.resourceGroup, path);
  if (found) checkSubnetOwnership(context, key, subnet.name);
  const natId = subnet.nat ? state.id(subnet.nat.key) : undefined;
  const foundNat = idOf(found?.natGateway);
  const userNat =
    foundNat && !foundNat.toLowerCase().includes(`/resourcegroups/${names.resourceGroup.toLowerCase()}/`);
  const wantedNat = natId ?? (userNat ? foundNat : undefined);
  const securityGroup = state.id(stateKeys.securityGroup)!;
  const routeTable = state.id(stateKeys.routeTable)!;
  const endpoints = [...subnet.serviceEndpoints].sort();
  const same =
    found &&
    found.addressPrefix === subnet.cidr &&
    sameId(idOf(found.networkSecurityGroup), securityGroup) &&
    sameId(idOf(found.routeTable), routeTable) &&
    sameId(foundNat, wantedNat) &&
    JSON.stringify(
      ((found.serviceEndpoints as Array<{ service?: string }> | undefined) ?? [])
        .map((entry) => entry.service)
        .sort(),
    ) === JSON.stringify(endpoints);
  let current: NetworkResource | undefined = same ? found : undefined;
  if (!current) {
    if (!found && !names.vnet.managed) {
      state.markPending(key, { kind: 'subnet', name: subnet.name });
      await context.saveState();
    }
    current = await arm.put('subnets', names.vnet.resourceGroup, path, {
      addressPrefix: subnet.cidr,
      networkSecurityGroup: { id: securityGroup },
      routeTable: { id: routeTable },
      ...(wantedNat ? { natGateway: { id: wantedNat } } : {}),
      serviceEndpoints: endpoints.map((service) => ({ service })),
    });
  }
  state.set(key, {
    id: current.id!,
    kind: 'subnet',
    attributes: {
      name: subnet.name,
      cidr: subnet.cidr,
      ...(subnet.zone === undefined ? {} : { zone: subnet.zone }),
      ...(wantedNat ? { natGateway: wantedNat } : {}),
    },
  });
}
