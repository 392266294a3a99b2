import type { AzureInfrastructureConfig } from './azure-infrastructure-config.js';

/** One nodes subnet Trellis manages, with its NAT gateway when it has one. */
export interface PlannedSubnet {
  /** State and step key: `nodes` or `nodes-z<zone>`. */
  readonly key: string;
  readonly name: string;
  readonly cidr: string;
  readonly zone?: number;
  readonly serviceEndpoints: readonly string[];
  readonly nat?: PlannedNat;
}

/** A NAT gateway and its public IPs. */
export interface PlannedNat {
  readonly key: string;
  readonly name: string;
  readonly idleTimeoutMinutes: number;
  readonly sku: 'Standard' | 'StandardV2';
  readonly zone?: number;
  /** The public IP Trellis makes (`<nat>-ip`), unless the user gave theirs. */
  readonly managedIp?: { readonly key: string; readonly name: string };
  readonly userIps: ReadonlyArray<{ readonly name: string; readonly resourceGroup: string }>;
}

/** Gardener's names for one cluster (its technical id is the cluster name). */
export interface AzureInfrastructureNames {
  readonly resourceGroup: string;
  /** The VNet and its resource group (the user's, or the cluster's). */
  readonly vnet: { readonly name: string; readonly resourceGroup: string; readonly managed: boolean };
  readonly routeTable: string;
  readonly securityGroup: string;
  readonly subnets: readonly PlannedSubnet[];
  readonly layout: 'SingleSubnet' | 'MultipleSubnet';
}

/** The keys the state records resources under. */
export const stateKeys = {
  resourceGroup: 'resource-group',
  vnet: 'vnet',
  routeTable: 'route-table',
  securityGroup: 'security-group',
  publicIp: (name: string) => `public-ip/${name}`,
  nat: (name: string) => `nat/${name}`,
  subnet: (name: string) => `subnet/${name}`,
} as const;

/** The tag that marks what Trellis made for a cluster (Azure tag names may not hold `/`). */
export const clusterTag = (cluster: string) => `kubernetes.io-cluster-${cluster}`;

/** The names of everything a config asks for, as Gardener's Azure extension names them. */
export function infrastructureNames(
  cluster: string,
  config: AzureInfrastructureConfig,
): AzureInfrastructureNames {
  const { networks } = config;
  const vnet = networks.vnet?.name
    ? { name: networks.vnet.name, resourceGroup: networks.vnet.resourceGroup!, managed: false }
    : { name: cluster, resourceGroup: cluster, managed: true };
  const natOf = (
    name: string,
    options: {
      enabled: boolean;
      idleConnectionTimeoutMinutes?: number | undefined;
      sku?: string | undefined;
      zone?: number | undefined;
      ipAddresses?: Array<{ name: string; resourceGroup: string }> | undefined;
    },
  ): PlannedNat | undefined => {
    if (!options.enabled) return undefined;
    const userIps = (options.ipAddresses ?? []).map(({ name: ipName, resourceGroup }) => ({
      name: ipName,
      resourceGroup,
    }));
    return {
      key: stateKeys.nat(name),
      name,
      idleTimeoutMinutes: options.idleConnectionTimeoutMinutes ?? 4,
      sku: options.sku === 'StandardV2' ? 'StandardV2' : 'Standard',
      ...(options.zone === undefined ? {} : { zone: options.zone }),
      ...(userIps.length ? {} : { managedIp: { key: stateKeys.publicIp(`${name}-ip`), name: `${name}-ip` } }),
      userIps,
    };
  };
  const subnets: PlannedSubnet[] = networks.zones
    ? networks.zones.map((zone) => {
        const nat = zone.natGateway
          ? natOf(`${cluster}-nat-gateway-z${zone.name}`, { ...zone.natGateway, zone: zone.name })
          : undefined;
        return {
          key: `nodes-z${zone.name}`,
          name: `${cluster}-nodes-z${zone.name}`,
          cidr: zone.cidr,
          zone: zone.name,
          serviceEndpoints: zone.serviceEndpoints ?? [],
          ...(nat ? { nat } : {}),
        };
      })
    : [
        (() => {
          const nat = networks.natGateway ? natOf(`${cluster}-nat-gateway`, networks.natGateway) : undefined;
          return {
            key: 'nodes',
            name: `${cluster}-nodes`,
            cidr: networks.workers!,
            serviceEndpoints: networks.serviceEndpoints ?? [],
            ...(nat ? { nat } : {}),
          };
        })(),
      ];
  return {
    resourceGroup: cluster,
    vnet,
    routeTable: 'worker_route_table',
    securityGroup: `${cluster}-workers`,
    subnets,
    layout: networks.zones ? 'MultipleSubnet' : 'SingleSubnet',
  };
}
