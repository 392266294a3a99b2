import { type Cidr, cidrContains, cidrOverlaps, formatFieldPath, readConfigIpv4Cidr } from '@trellis/core';

/** A config problem with its path as segments (zod's form). */
export interface ConfigRuleIssue {
  readonly segments: Array<string | number>;
  readonly message: string;
}

type UserIp = { name: string; resourceGroup: string; zone?: number | undefined };
interface ConfigUnderCheck {
  resourceGroup?: { name: string } | undefined;
  networks: {
    vnet?:
      | { name?: string; resourceGroup?: string; cidr?: string; ddosProtectionPlanID?: string }
      | undefined;
    workers?: string | undefined;
    natGateway?:
      | {
          enabled: boolean;
          idleConnectionTimeoutMinutes?: number;
          zone?: number;
          sku?: string;
          ipAddresses?: UserIp[];
        }
      | undefined;
    serviceEndpoints?: string[] | undefined;
    zones?:
      | Array<{
          name: number;
          cidr: string;
          serviceEndpoints?: string[] | undefined;
          natGateway?:
            | {
                enabled: boolean;
                idleConnectionTimeoutMinutes?: number;
                sku?: string;
                ipAddresses?: UserIp[];
              }
            | undefined;
        }>
      | undefined;
  };
  zoned?: boolean | undefined;
  podsCidr?: string | undefined;
  servicesCidr?: string | undefined;
}

const DDOS_PLAN =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/ddosProtectionPlans\/[^/]+$/i;

/**
 * Gardener's Azure infrastructure validation rules over an already well-typed config; returns every
 * problem: no bring-your-own resource group; a brought VNet by name and group together, without
 * `cidr` or DDoS plan; exactly one of `workers` and `zones`; `zones` only with `zoned: true`, unique;
 * single-subnet fields not with `zones`; NAT fields only when enabled, zones per SKU, user IPs in the
 * NAT's zone; canonical CIDRs inside the VNet, not overlapping each other, pods or services.
 */
export function checkAzureInfrastructureConfig(config: ConfigUnderCheck): ConfigRuleIssue[] {
  const issues: ConfigRuleIssue[] = [];
  const add = (segments: Array<string | number>, message: string) => issues.push({ segments, message });
  const { networks } = config;
  const vnet = networks.vnet;

  if (config.resourceGroup) {
    add(
      ['resourceGroup'],
      'specifying an existing resource group is not supported: Trellis owns the group <cluster> it makes',
    );
  }
  const brought = vnet?.name !== undefined || vnet?.resourceGroup !== undefined;
  if (brought) {
    if (vnet?.name === undefined)
      add(['networks', 'vnet', 'name'], 'is required with networks.vnet.resourceGroup');
    if (vnet?.resourceGroup === undefined)
      add(['networks', 'vnet', 'resourceGroup'], 'is required with networks.vnet.name');
    if (vnet?.cidr !== undefined)
      add(['networks', 'vnet', 'cidr'], 'cannot be set for a VNet you bring (networks.vnet.name)');
    if (vnet?.ddosProtectionPlanID !== undefined) {
      add(
        ['networks', 'vnet', 'ddosProtectionPlanID'],
        'cannot be set for a VNet you bring (networks.vnet.name)',
      );
    }
  }
  if (vnet?.ddosProtectionPlanID !== undefined && !DDOS_PLAN.test(vnet.ddosProtectionPlanID)) {
    add(
      ['networks', 'vnet', 'ddosProtectionPlanID'],
      'must be the ARM id of a Microsoft.Network/ddosProtectionPlans resource',
    );
  }

  const zones = networks.zones;
  if ((networks.workers === undefined) === (zones === undefined)) {
    add(
      ['networks', 'workers'],
      'exactly one of networks.workers (one subnet) and networks.zones (a subnet per zone) is required',
    );
  }
  if (zones) {
    if (zones.length === 0) add(['networks', 'zones'], 'must list at least one zone');
    if (!config.zoned) add(['zoned'], 'must be true with networks.zones');
    for (const key of ['natGateway', 'serviceEndpoints'] as const) {
      if (networks[key] !== undefined)
        add(['networks', key], 'is for one subnet (networks.workers); set it per zone in networks.zones[]');
    }
    if (!brought && vnet?.cidr === undefined)
      add(['networks', 'vnet', 'cidr'], 'is required with networks.zones');
    const seen = new Set<number>();
    zones.forEach((entry, index) => {
      if (seen.has(entry.name))
        add(['networks', 'zones', index, 'name'], `zone ${entry.name} is listed twice`);
      seen.add(entry.name);
      const nat = entry.natGateway;
      if (nat && !nat.enabled) checkDisabledNat(nat, ['networks', 'zones', index, 'natGateway'], add);
    });
  }

  const nat = networks.natGateway;
  if (nat) {
    const path = ['networks', 'natGateway'];
    if (!nat.enabled) checkDisabledNat(nat, path, add);
    else if (nat.sku === 'StandardV2') {
      if (nat.zone !== undefined)
        add([...path, 'zone'], 'cannot be set with sku StandardV2 (zone-redundant)');
      nat.ipAddresses?.forEach((ip, index) => {
        if (ip.zone !== undefined)
          add([...path, 'ipAddresses', index, 'zone'], 'cannot be set with sku StandardV2 (zone-redundant)');
      });
    } else {
      if (nat.ipAddresses?.length && nat.zone === undefined)
        add([...path, 'zone'], 'is required with ipAddresses');
      nat.ipAddresses?.forEach((ip, index) => {
        if (nat.zone !== undefined && ip.zone !== nat.zone) {
          add([...path, 'ipAddresses', index, 'zone'], `must be the NAT gateway's zone (${nat.zone})`);
        }
      });
    }
  }

  // CIDRs: canonical; subnets inside the VNet; nothing overlapping.
  const read = (text: string | undefined, segments: Array<string | number>): Cidr | undefined => {
    if (text === undefined) return undefined;
    const { cidr, problem } = readConfigIpv4Cidr(text);
    if (problem) add(segments, problem);
    return cidr;
  };
  const vnetCidr = read(vnet?.cidr, ['networks', 'vnet', 'cidr']);
  const subnets: Array<{ cidr: Cidr; segments: Array<string | number> }> = [];
  const workers = read(networks.workers, ['networks', 'workers']);
  if (workers) subnets.push({ cidr: workers, segments: ['networks', 'workers'] });
  zones?.forEach((entry, index) => {
    const cidr = read(entry.cidr, ['networks', 'zones', index, 'cidr']);
    if (cidr) subnets.push({ cidr, segments: ['networks', 'zones', index, 'cidr'] });
  });
  for (const subnet of subnets) {
    if (vnetCidr && !cidrContains(vnetCidr, subnet.cidr)) {
      add(subnet.segments, `"${subnet.cidr.text}" must lie inside networks.vnet.cidr ("${vnetCidr.text}")`);
    }
  }
  const others = [
    { cidr: read(config.podsCidr, ['podsCidr']), segments: ['podsCidr'] },
    { cidr: read(config.servicesCidr, ['servicesCidr']), segments: ['servicesCidr'] },
  ].filter((entry): entry is { cidr: Cidr; segments: string[] } => entry.cidr !== undefined);
  if (vnetCidr) others.push({ cidr: vnetCidr, segments: ['networks', 'vnet', 'cidr'] });
  const named = [...subnets, ...others];
  named.forEach((first, index) => {
    for (const second of named.slice(0, index)) {
      const vnetAndSubnet =
        [first, second].some((entry) => entry.segments.join('.') === 'networks.vnet.cidr') &&
        [first, second].some((entry) => subnets.includes(entry as (typeof subnets)[number]));
      if (!vnetAndSubnet && cidrOverlaps(first.cidr, second.cidr)) {
        add(
          first.segments,
          `"${first.cidr.text}" overlaps ${formatFieldPath(second.segments)} ("${second.cidr.text}")`,
        );
      }
    }
  });
  return issues;
}

function checkDisabledNat(
  nat: Record<string, unknown>,
  path: Array<string | number>,
  add: (segments: Array<string | number>, message: string) => void,
): void {
  for (const key of Object.keys(nat)) {
    if (key !== 'enabled' && nat[key] !== undefined)
      add([...path, key], 'cannot be set when the NAT gateway is not enabled');
  }
}
