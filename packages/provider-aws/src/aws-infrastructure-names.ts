import type { Filter, ResourceType, TagSpecification } from '@aws-sdk/client-ec2';
import { CLUSTER_TAG_PREFIX, NAME_TAG } from '@trellis/core';

/** Subnet purposes, in the core's words (`nodes` is the config's `workers`). */
export type SubnetPurpose = 'nodes' | 'public' | 'internal';

/** All subnet purposes in creation order. */
export const SUBNET_PURPOSES: readonly SubnetPurpose[] = ['nodes', 'public', 'internal'];

/** The ownership tag key of a cluster: `kubernetes.io/cluster/<cluster>`. */
export function clusterTagKey(cluster: string): string {
  return `${CLUSTER_TAG_PREFIX}${cluster}`;
}

/** The tags every managed resource carries: ownership (`owned`) and `Name`. */
export function ownedTags(
  cluster: string,
  name: string,
  extra: Record<string, string> = {},
): Array<{ Key: string; Value: string }> {
  return [
    { Key: NAME_TAG, Value: name },
    { Key: clusterTagKey(cluster), Value: 'owned' },
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
  ];
}

/** A `TagSpecifications` entry that tags the resource as it is created. */
export function tagSpecifications(
  resourceType: ResourceType,
  cluster: string,
  name: string,
  extra: Record<string, string> = {},
): TagSpecification[] {
  return [{ ResourceType: resourceType, Tags: ownedTags(cluster, name, extra) }];
}

/** Describe filters that find this cluster's resource by its ownership tag and `Name`. */
export function ownedFilters(cluster: string, name: string, extra: Filter[] = []): Filter[] {
  return [
    { Name: `tag:${clusterTagKey(cluster)}`, Values: ['owned'] },
    { Name: `tag:${NAME_TAG}`, Values: [name] },
    ...extra,
  ];
}

/** Gardener's names for a cluster's AWS resources. */
export const resourceNames = {
  vpc: (cluster: string) => cluster,
  dhcpOptions: (cluster: string) => cluster,
  internetGateway: (cluster: string) => cluster,
  publicRouteTable: (cluster: string) => cluster,
  securityGroup: (cluster: string) => `${cluster}-nodes`,
  iamRole: (cluster: string) => `${cluster}-nodes`,
  iamInstanceProfile: (cluster: string) => `${cluster}-nodes`,
  iamRolePolicy: (cluster: string) => `${cluster}-nodes`,
  keyPair: (cluster: string) => `${cluster}-ssh-publickey`,
  subnet: (cluster: string, purpose: SubnetPurpose, zoneIndex: number) =>
    `${cluster}-${{ nodes: 'nodes', public: 'public-utility', internal: 'private-utility' }[purpose]}-z${zoneIndex}`,
  elasticIp: (cluster: string, zoneIndex: number) => `${cluster}-eip-natgw-z${zoneIndex}`,
  natGateway: (cluster: string, zoneIndex: number) => `${cluster}-natgw-z${zoneIndex}`,
  privateRouteTable: (cluster: string, zone: string) => `${cluster}-private-${zone}`,
  vpcEndpoint: (cluster: string, service: string) => `${cluster}-gw-${service}`,
};

/** State keys of the resources, one per logical resource. */
export const stateKeys = {
  vpc: 'vpc',
  dhcpOptions: 'dhcp-options',
  internetGateway: 'internet-gateway',
  publicRouteTable: 'route-table/public',
  securityGroup: 'security-group/nodes',
  iamRole: 'iam-role',
  iamRolePolicy: 'iam-role-policy',
  iamInstanceProfile: 'iam-instance-profile',
  keyPair: 'key-pair',
  subnet: (zone: string, purpose: SubnetPurpose) => `subnet/${zone}/${purpose}`,
  elasticIp: (zone: string) => `elastic-ip/${zone}`,
  natGateway: (zone: string) => `nat-gateway/${zone}`,
  privateRouteTable: (zone: string) => `route-table/${zone}/private`,
  association: (zone: string, purpose: SubnetPurpose) => `route-table-association/${zone}/${purpose}`,
  vpcEndpoint: (service: string) => `vpc-endpoint/${service}`,
};
