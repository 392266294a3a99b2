import type { InfrastructureStatus } from '@trellis/core';
import type { AzureInfrastructureContext } from './azure-infrastructure-context.js';
import { stateKeys } from './azure-infrastructure-names.js';

/** A nodes subnet of the cluster. */
export interface AzureSubnetStatus {
  readonly name: string;
  readonly id: string;
  readonly purpose: 'nodes';
  readonly cidr: string;
  /** The availability zone (multi-subnet layout). */
  readonly zone?: string;
  readonly natGatewayId?: string;
}

/**
 * The status of the Azure infrastructure, after Gardener's Azure `InfrastructureStatus`, plus the
 * core's fields: `networkId` is the VNet's ARM id, `subnets` one entry per zone (the location for
 * the single-subnet layout), `securityGroupIds` the nodes' security group, `egressAddresses` the NAT
 * gateways' public IPs and `identity` the managed identity's id.
 */
export interface AzureInfrastructureStatus extends InfrastructureStatus {
  readonly resourceGroup: { readonly name: string };
  readonly networks: {
    readonly vnet: { readonly name: string; readonly resourceGroup?: string };
    readonly subnets: readonly AzureSubnetStatus[];
    readonly layout: 'SingleSubnet' | 'MultipleSubnet';
    /** `NATGateway` when every subnet has one, else `LoadBalancer`. */
    readonly outboundAccessType: 'NATGateway' | 'LoadBalancer';
  };
  readonly routeTables: ReadonlyArray<{
    readonly purpose: 'nodes';
    readonly name: string;
    readonly id: string;
  }>;
  readonly securityGroups: ReadonlyArray<{
    readonly purpose: 'nodes';
    readonly name: string;
    readonly id: string;
  }>;
  readonly managedIdentity?: { readonly id: string; readonly clientId: string; readonly acrAccess: boolean };
  readonly zoned: boolean;
  /** The NAT gateways' public IPs as `/32`s (Gardener's `egressCIDRs`). */
  readonly egressCIDRs: readonly string[];
}

/** Builds the status from the state the reconcile recorded. */
export function buildAzureInfrastructureStatus(
  context: AzureInfrastructureContext,
): AzureInfrastructureStatus {
  const { state, names, location, config } = context;
  const subnets: AzureSubnetStatus[] = names.subnets.map((subnet) => {
    const recorded = state.get(stateKeys.subnet(subnet.key))!;
    const nat = recorded.attributes?.natGateway;
    return {
      name: subnet.name,
      id: recorded.id,
      purpose: 'nodes',
      cidr: subnet.cidr,
      ...(subnet.zone === undefined ? {} : { zone: String(subnet.zone) }),
      ...(typeof nat === 'string' ? { natGatewayId: nat } : {}),
    };
  });
  const egress = [
    ...new Set(
      names.subnets.flatMap((subnet) =>
        subnet.nat
          ? String(state.get(subnet.nat.key)?.attributes?.egress ?? '')
              .split(',')
              .filter(Boolean)
          : [],
      ),
    ),
  ].sort();
  const securityGroup = state.id(stateKeys.securityGroup)!;
  const routeTable = state.id(stateKeys.routeTable)!;
  const identity = state.get('identity');
  return {
    networkId: state.id(stateKeys.vnet)!,
    subnets: subnets.map((subnet) => ({ zone: subnet.zone ?? location, nodes: subnet.id })),
    securityGroupIds: [securityGroup],
    egressAddresses: egress,
    ...(identity ? { identity: identity.id } : {}),
    resourceGroup: { name: names.resourceGroup },
    networks: {
      vnet: {
        name: names.vnet.name,
        ...(names.vnet.managed ? {} : { resourceGroup: names.vnet.resourceGroup }),
      },
      subnets,
      layout: names.layout,
      outboundAccessType: subnets.every((subnet) => subnet.natGatewayId) ? 'NATGateway' : 'LoadBalancer',
    },
    routeTables: [{ purpose: 'nodes', name: names.routeTable, id: routeTable }],
    securityGroups: [{ purpose: 'nodes', name: names.securityGroup, id: securityGroup }],
    ...(identity
      ? {
          managedIdentity: {
            id: identity.id,
            clientId: String(identity.attributes?.clientId ?? ''),
            acrAccess: identity.attributes?.acrAccess === true,
          },
        }
      : {}),
    zoned: Boolean(config.zoned),
    egressCIDRs: egress.map((address) => `${address}/32`),
  };
}
