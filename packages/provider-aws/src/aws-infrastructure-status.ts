import type { InfrastructureStatus, ZoneSubnets } from '@trellis/core';
import type { InfrastructureStateBook } from '@trellis/provider-kit';
import type { AwsInfrastructureConfig } from './aws-infrastructure-config.js';
import { stateKeys } from './aws-infrastructure-names.js';

/** What an AWS reconcile made for one zone. */
export interface AwsInfrastructureZoneStatus {
  /** Availability zone. */
  readonly name: string;
  /** NAT gateway of the zone (managed zones). */
  readonly natGatewayId?: string;
  /** The NAT gateway's elastic IP. */
  readonly elasticIp?: { readonly allocationId: string; readonly publicIp: string };
  /** Route table of the zone's nodes and internal subnets (0.0.0.0/0 → NAT gateway). */
  readonly privateRouteTableId?: string;
}

/** The status of the AWS infrastructure: the core's status plus the AWS ids. */
export interface AwsInfrastructureStatus extends InfrastructureStatus {
  /** The VPC (`networkId` too). */
  readonly vpcId: string;
  /** The VPC's CIDR. */
  readonly vpcCidr?: string;
  /** The VPC's internet gateway. */
  readonly internetGatewayId?: string;
  /** Route table of the public subnets (0.0.0.0/0 → internet gateway). */
  readonly publicRouteTableId?: string;
  /** Per zone NAT gateways, addresses and route tables. */
  readonly zones: readonly AwsInfrastructureZoneStatus[];
  /** The nodes' IAM role and instance profile (`identity` is the profile name). */
  readonly iam?: {
    readonly roleName: string;
    readonly roleArn: string;
    readonly instanceProfileName: string;
    readonly instanceProfileArn: string;
  };
  /** Gateway VPC endpoints by service name (`s3` → `vpce-...`). */
  readonly vpcEndpoints: Readonly<Record<string, string>>;
}

/** Builds the status from the state after a reconcile. */
export function buildAwsInfrastructureStatus(
  config: AwsInfrastructureConfig,
  state: InfrastructureStateBook,
): AwsInfrastructureStatus {
  const text = (key: string, attribute: string) => {
    const value = state.get(key)?.attributes?.[attribute];
    return value === undefined ? '' : String(value);
  };
  const vpcId = state.id(stateKeys.vpc) ?? '';
  const subnets: ZoneSubnets[] = [];
  const zones: AwsInfrastructureZoneStatus[] = [];
  const egressAddresses: string[] = [];
  for (const zone of config.networks.zones) {
    const publicSubnet = state.id(stateKeys.subnet(zone.name, 'public'));
    const internalSubnet = state.id(stateKeys.subnet(zone.name, 'internal'));
    subnets.push({
      zone: zone.name,
      nodes: state.id(stateKeys.subnet(zone.name, 'nodes')) ?? '',
      ...(publicSubnet ? { public: publicSubnet } : {}),
      ...(internalSubnet ? { internal: internalSubnet } : {}),
    });
    const allocationId = state.id(stateKeys.elasticIp(zone.name));
    const publicIp = text(stateKeys.elasticIp(zone.name), 'publicIp');
    if (publicIp) egressAddresses.push(publicIp);
    const natGatewayId = state.id(stateKeys.natGateway(zone.name));
    const privateRouteTableId = state.id(stateKeys.privateRouteTable(zone.name));
    zones.push({
      name: zone.name,
      ...(natGatewayId ? { natGatewayId } : {}),
      ...(allocationId ? { elasticIp: { allocationId, publicIp } } : {}),
      ...(privateRouteTableId ? { privateRouteTableId } : {}),
    });
  }
  const roleName = state.id(stateKeys.iamRole);
  const instanceProfileName = state.id(stateKeys.iamInstanceProfile);
  const keyName = state.id(stateKeys.keyPair);
  const internetGatewayId = state.id(stateKeys.internetGateway);
  const publicRouteTableId = state.id(stateKeys.publicRouteTable);
  const vpcEndpoints: Record<string, string> = {};
  for (const service of config.networks.vpc.gatewayEndpoints ?? []) {
    const id = state.id(stateKeys.vpcEndpoint(service));
    if (id) vpcEndpoints[service] = id;
  }
  const securityGroupId = state.id(stateKeys.securityGroup);
  return {
    networkId: vpcId,
    vpcId,
    vpcCidr: text(stateKeys.vpc, 'cidr') || undefined,
    subnets,
    securityGroupIds: securityGroupId ? [securityGroupId] : [],
    egressAddresses,
    ...(instanceProfileName ? { identity: instanceProfileName } : {}),
    ...(keyName ? { keyName } : {}),
    ...(internetGatewayId ? { internetGatewayId } : {}),
    ...(publicRouteTableId ? { publicRouteTableId } : {}),
    zones,
    ...(roleName && instanceProfileName
      ? {
          iam: {
            roleName,
            roleArn: text(stateKeys.iamRole, 'arn'),
            instanceProfileName,
            instanceProfileArn: text(stateKeys.iamInstanceProfile, 'arn'),
          },
        }
      : {}),
    vpcEndpoints,
  };
}
