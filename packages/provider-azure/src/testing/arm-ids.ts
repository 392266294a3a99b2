/** A parsed ARM request path. */
export type ArmPath =
  | { kind: 'resourceGroup'; subscription: string; resourceGroup: string }
  | { kind: 'resourceGroupResources'; subscription: string; resourceGroup: string }
  | {
      kind: 'resource';
      subscription: string;
      resourceGroup: string;
      /** `Microsoft.Compute/virtualMachines`, `Microsoft.Network/virtualNetworks/subnets`. */
      type: string;
      /** The names down to this resource (`[vnet, subnet]` for a subnet). */
      names: string[];
    }
  | { kind: 'collection'; subscription: string; resourceGroup: string; type: string; parents: string[] }
  | { kind: 'subscriptionCollection'; subscription: string; type: string }
  | { kind: 'operation'; subscription: string; id: string }
  | { kind: 'unknown' };

/**
 * Reads an ARM path, case-insensitively as ARM routes (arm-resources 8 writes `resourcegroups`,
 * compute and network `resourceGroups`), keeping the names' own case.
 */
export function parseArmPath(pathname: string): ArmPath {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const lower = parts.map((part) => part.toLowerCase());
  if (lower[0] !== 'subscriptions' || parts.length < 2) return { kind: 'unknown' };
  const subscription = parts[1]!;
  if (lower[2] === 'providers') {
    // /subscriptions/s/providers/<ns>/locations/<l>/operations|operationResults/<id>
    if (
      lower[4] === 'locations' &&
      (lower[6] === 'operations' || lower[6] === 'operationresults') &&
      parts[7]
    ) {
      return { kind: 'operation', subscription, id: parts[7] };
    }
    if (parts.length === 5)
      return { kind: 'subscriptionCollection', subscription, type: `${parts[3]}/${parts[4]}` };
    return { kind: 'unknown' };
  }
  if (lower[2] !== 'resourcegroups' || !parts[3]) return { kind: 'unknown' };
  const resourceGroup = parts[3];
  if (parts.length === 4) return { kind: 'resourceGroup', subscription, resourceGroup };
  if (parts.length === 5 && lower[4] === 'resources')
    return { kind: 'resourceGroupResources', subscription, resourceGroup };
  if (lower[4] !== 'providers' || parts.length < 7) return { kind: 'unknown' };
  const namespace = parts[5]!;
  const rest = parts.slice(6);
  const types: string[] = [];
  const names: string[] = [];
  for (let index = 0; index < rest.length; index += 2) {
    types.push(rest[index]!);
    if (rest[index + 1] !== undefined) names.push(rest[index + 1]!);
  }
  const type = `${namespace}/${types.join('/')}`;
  if (names.length === types.length) return { kind: 'resource', subscription, resourceGroup, type, names };
  return { kind: 'collection', subscription, resourceGroup, type, parents: names };
}

/** The ARM id of a resource: `/subscriptions/s/resourceGroups/rg/providers/<ns>/<type>/<name>[/<child>/<name>]`. */
export function armId(
  subscription: string,
  resourceGroup: string,
  type: string,
  names: readonly string[],
): string {
  const [namespace, ...types] = type.split('/');
  const segments = types.map((segment, index) => `${segment}/${names[index]}`).join('/');
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/${namespace}/${segments}`;
}

/** The key the fake stores an id under: ARM ids compare case-insensitively. */
export const idKey = (id: string) => id.toLowerCase();

/** The resource group key of `/subscriptions/s/resourceGroups/rg`. */
export const groupKey = (subscription: string, resourceGroup: string) =>
  `/subscriptions/${subscription}/resourcegroups/${resourceGroup}`.toLowerCase();
