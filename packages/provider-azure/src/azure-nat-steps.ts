import { type AzureInfrastructureContext, referencedIds } from './azure-infrastructure-context.js';
import type { PlannedNat } from './azure-infrastructure-names.js';
import { resourceId } from './azure-machine-names.js';

const zonesOf = (zone: number | undefined) => (zone === undefined ? undefined : [String(zone)]);
const sameZones = (found: unknown, zone: number | undefined) =>
  JSON.stringify(found ?? []) === JSON.stringify(zonesOf(zone) ?? []);

/** The public IP Trellis makes for a NAT gateway: Standard, static, IPv4, in the NAT's zone. */
export async function ensurePublicIp(context: AzureInfrastructureContext, nat: PlannedNat): Promise<void> {
  const { arm, names, state } = context;
  const ip = nat.managedIp!;
  const found = await arm.get('publicIPAddresses', names.resourceGroup, [ip.name]);
  const current =
    found ??
    (await arm.put('publicIPAddresses', names.resourceGroup, [ip.name], {
      location: context.location,
      tags: context.tags,
      sku: { name: nat.sku, tier: 'Regional' },
      publicIPAllocationMethod: 'Static',
      publicIPAddressVersion: 'IPv4',
      ...(nat.zone === undefined ? {} : { zones: zonesOf(nat.zone) }),
    }));
  state.set(ip.key, {
    id: current.id!,
    kind: 'publicIPAddress',
    attributes: { ...(current.ipAddress ? { address: String(current.ipAddress) } : {}), nat: nat.name },
  });
}

/** The ids of a NAT gateway's public IPs: the one Trellis made, or the user's by templated id. */
function publicIpIds(context: AzureInfrastructureContext, nat: PlannedNat): string[] {
  if (nat.managedIp) return [context.state.id(nat.managedIp.key)!];
  return nat.userIps.map((ip) =>
    resourceId(
      context.azure.subscriptionId,
      ip.resourceGroup,
      'Microsoft.Network/publicIPAddresses',
      ip.name,
    ),
  );
}

/**
 * A NAT gateway with its idle timeout, SKU, zone and public IPs; written when missing or when any
 * of those differ. Records its egress addresses (the IPs' addresses, read back).
 */
export async function ensureNat(context: AzureInfrastructureContext, nat: PlannedNat): Promise<void> {
  const { arm, names, state } = context;
  const ips = publicIpIds(context, nat);
  const found = await arm.get('natGateways', names.resourceGroup, [nat.name]);
  const same =
    found &&
    found.idleTimeoutInMinutes === nat.idleTimeoutMinutes &&
    (found.sku as { name?: string } | undefined)?.name === nat.sku &&
    sameZones(found.zones, nat.zone) &&
    JSON.stringify(referencedIds(found.publicIpAddresses)) ===
      JSON.stringify(ips.map((id) => id.toLowerCase()).sort());
  const current =
    same && found
      ? found
      : await arm.put('natGateways', names.resourceGroup, [nat.name], {
          location: context.location,
          tags: context.tags,
          sku: { name: nat.sku },
          idleTimeoutInMinutes: nat.idleTimeoutMinutes,
          publicIpAddresses: ips.map((id) => ({ id })),
          ...(nat.zone === undefined ? {} : { zones: zonesOf(nat.zone) }),
        });
  const addresses: string[] = [];
  for (const ip of nat.userIps) {
    const read = await arm.get('publicIPAddresses', ip.resourceGroup, [ip.name]);
    if (read?.ipAddress) addresses.push(String(read.ipAddress));
  }
  const managed = nat.managedIp ? state.get(nat.managedIp.key)?.attributes?.address : undefined;
  if (typeof managed === 'string') addresses.push(managed);
  state.set(nat.key, {
    id: current.id!,
    kind: 'natGateway',
    attributes: {
      sku: nat.sku,
      egress: addresses.join(','),
      ...(nat.zone === undefined ? {} : { zone: nat.zone }),
    },
  });
}

/**
 * Deletes the NAT gateways and public IPs the state records and the config no longer asks for
 * (after the subnets let go of them), NAT gateways first.
 */
export async function pruneNats(
  context: AzureInfrastructureContext,
  planned: ReadonlySet<string>,
): Promise<void> {
  const { arm, names, state } = context;
  for (const prefix of ['nat/', 'public-ip/'] as const) {
    for (const [key] of state.entries()) {
      if (!key.startsWith(prefix) || planned.has(key)) continue;
      const kind = prefix === 'nat/' ? 'natGateways' : 'publicIPAddresses';
      await arm.delete(kind, names.resourceGroup, [key.slice(prefix.length)]);
      state.remove(key);
    }
  }
}

/** The state keys of the NAT gateways and public IPs a plan keeps. */
export function plannedNatKeys(context: AzureInfrastructureContext): Set<string> {
  const keys = new Set<string>();
  for (const subnet of context.names.subnets) {
    if (!subnet.nat) continue;
    keys.add(subnet.nat.key);
    if (subnet.nat.managedIp) keys.add(subnet.nat.managedIp.key);
  }
  return keys;
}
