import { CLUSTER_TAG_PREFIX } from '@trellis/core';

/** The keys the state records resources under (and the steps are named by). */
export const stateKeys = {
  vpc: 'vpc',
  securityGroup: 'security-group',
  natGateway: 'nat-gateway',
  vswitch: (zone: string) => `vswitch/${zone}`,
  eip: (zone: string) => `eip/${zone}`,
  association: (zone: string) => `eip-association/${zone}`,
  snat: (zone: string) => `snat/${zone}`,
} as const;

/** The names Trellis gives a cluster's resources (Gardener's, with the zone id for its `z<i>`). */
export const resourceNames = {
  vpc: (cluster: string) => `${cluster}-vpc`,
  securityGroup: (cluster: string) => `${cluster}-sg`,
  vswitch: (cluster: string, zone: string) => `${cluster}-${zone}-vsw`,
  natGateway: (cluster: string) => `${cluster}-natgw`,
  eip: (cluster: string, zone: string) => `${cluster}-eip-natgw-${zone}`,
  snat: (cluster: string, zone: string) => `${cluster}-snat-${zone}`,
} as const;

/** The ownership tag of a cluster's resources: `kubernetes.io/cluster/<cluster>` = `1`. */
export const clusterTagKey = (cluster: string) => `${CLUSTER_TAG_PREFIX}${cluster}`;

/** The tags a resource gets at creation, as the Tea SDKs take them (`Tag.N.Key`/`Tag.N.Value`). */
export function ownedTags(cluster: string, name: string): Array<{ key: string; value: string }> {
  return [
    { key: clusterTagKey(cluster), value: '1' },
    { key: 'Name', value: name },
  ];
}
