import type { InfrastructureStatus } from '@trellis/core';
import type { AlicloudInfrastructureContext } from './alicloud-infrastructure-context.js';
import { stateKeys } from './alicloud-infrastructure-names.js';

/**
 * The status of an Alibaba Cloud infrastructure: the core fields, and Gardener's Alicloud
 * `InfrastructureStatus` shape (`vpc.vswitches` with purpose and zone, `vpc.securityGroups`) with
 * the NAT gateway and each zone's SNAT address as an egress CIDR.
 */
export interface AlicloudInfrastructureStatus extends InfrastructureStatus {
  readonly vpc: {
    readonly id: string;
    readonly cidr: string;
    readonly vswitches: ReadonlyArray<{
      readonly purpose: 'nodes';
      readonly id: string;
      readonly zone: string;
    }>;
    readonly securityGroups: ReadonlyArray<{ readonly purpose: 'nodes'; readonly id: string }>;
  };
  readonly natGatewayId: string;
  /** Each zone's SNAT EIP as a `/32`, in zone order. */
  readonly egressCIDRs: readonly string[];
}

/** The status after a reconcile, read from the state the steps recorded. */
export function buildAlicloudInfrastructureStatus(
  context: AlicloudInfrastructureContext,
): AlicloudInfrastructureStatus {
  const { state, config } = context;
  const id = (key: string) => state.id(key) ?? '';
  const zones = config.networks.zones.map((zone) => zone.name);
  const egress = zones
    .map((zone) => String(state.get(stateKeys.eip(zone))?.attributes?.ip ?? ''))
    .filter(Boolean);
  const securityGroupId = id(stateKeys.securityGroup);
  return {
    networkId: id(stateKeys.vpc),
    subnets: zones.map((zone) => ({ zone, nodes: id(stateKeys.vswitch(zone)) })),
    securityGroupIds: [securityGroupId],
    egressAddresses: egress,
    vpc: {
      id: id(stateKeys.vpc),
      cidr: String(state.get(stateKeys.vpc)?.attributes?.cidr ?? ''),
      vswitches: zones.map((zone) => ({ purpose: 'nodes' as const, id: id(stateKeys.vswitch(zone)), zone })),
      securityGroups: [{ purpose: 'nodes' as const, id: securityGroupId }],
    },
    natGatewayId: id(stateKeys.natGateway),
    egressCIDRs: egress.map((ip) => `${ip}/32`),
  };
}
