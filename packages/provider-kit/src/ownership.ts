import { CLUSTER_TAG_PREFIX, NAME_TAG, NODE_ROLE_TAG } from '@trellis/core';
import { gceNetworkTag, sanitizeAzureTagName, sanitizeGceLabels } from './cloud-names.js';

/** The logical owner of a machine, as core's tags say it. */
export interface MachineOwner {
  readonly cluster: string;
  readonly name: string;
}

/** Gardener's Azure tag names: `/` is not allowed there, so `kubernetes.io-cluster-<cluster>`. */
export const AZURE_CLUSTER_TAG_PREFIX = 'kubernetes.io-cluster-';
/** Gardener's Azure role tag. */
export const AZURE_NODE_ROLE_TAG = 'kubernetes.io-role-node';

/**
 * Core's ownership tags in Azure's legal form (Gardener's): `Name`,
 * `kubernetes.io-cluster-<cluster>` and `kubernetes.io-role-node`, after the extra tags (sanitised).
 */
export function encodeAzureOwnership(
  owner: MachineOwner,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(extra)) tags[sanitizeAzureTagName(key)] = value;
  return {
    ...tags,
    [NAME_TAG]: owner.name,
    [`${AZURE_CLUSTER_TAG_PREFIX}${owner.cluster}`]: '1',
    [AZURE_NODE_ROLE_TAG]: '1',
  };
}

/** Azure tags back under core's logical keys (`kubernetes.io/cluster/<cluster>`, ...). */
export function decodeAzureOwnership(tags: Readonly<Record<string, string>>): Record<string, string> {
  const logical: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (key.startsWith(AZURE_CLUSTER_TAG_PREFIX)) {
      logical[`${CLUSTER_TAG_PREFIX}${key.slice(AZURE_CLUSTER_TAG_PREFIX.length)}`] = value;
    } else if (key === AZURE_NODE_ROLE_TAG) logical[NODE_ROLE_TAG] = value;
    else logical[key] = value;
  }
  return logical;
}

/** The label GCE machines carry their cluster in (Gardener's `k8s-cluster-name`): filterable server-side. */
export const GCE_CLUSTER_LABEL = 'k8s-cluster-name';
/** The label GCE machines carry their machine name in. */
export const GCE_NAME_LABEL = 'name';
/** The role network tag (Gardener's). */
export const GCE_NODE_ROLE_NETWORK_TAG = 'kubernetes-io-role-node';

/** A GCE machine's ownership: labels and network tags. */
export interface GceOwnership {
  readonly labels: Record<string, string>;
  readonly networkTags: string[];
}

/** The cluster network tag (`kubernetes-io-cluster-<cluster>`, hashed when too long for a tag). */
export function gceClusterNetworkTag(cluster: string): string {
  return gceNetworkTag(`kubernetes-io-cluster-${cluster}`);
}

/**
 * Core's ownership in GCE's legal form: the network tags `kubernetes-io-cluster-<cluster>` and
 * `kubernetes-io-role-node` (what firewalls target, Gardener's), and the labels
 * `k8s-cluster-name=<cluster>` and `name=<machine>` (what a server-side list filter selects),
 * after the extra labels (sanitised). A cluster name is a DNS-1123 label, so it is a legal label
 * value as it is and comes back unchanged.
 */
export function encodeGceOwnership(
  owner: MachineOwner,
  extra: Readonly<Record<string, string>> = {},
): GceOwnership {
  return {
    labels: { ...sanitizeGceLabels(extra), [GCE_CLUSTER_LABEL]: owner.cluster, [GCE_NAME_LABEL]: owner.name },
    networkTags: [gceClusterNetworkTag(owner.cluster), GCE_NODE_ROLE_NETWORK_TAG],
  };
}

/** GCE labels and network tags back as core's logical tags. */
export function decodeGceOwnership(ownership: {
  readonly labels?: Readonly<Record<string, string>> | null;
  readonly networkTags?: readonly string[] | null;
}): Record<string, string> {
  const labels = { ...ownership.labels };
  const cluster = labels[GCE_CLUSTER_LABEL];
  const name = labels[GCE_NAME_LABEL];
  delete labels[GCE_CLUSTER_LABEL];
  delete labels[GCE_NAME_LABEL];
  const logical: Record<string, string> = { ...labels };
  if (name !== undefined) logical[NAME_TAG] = name;
  const tags = new Set(ownership.networkTags ?? []);
  if (cluster !== undefined && tags.has(gceClusterNetworkTag(cluster)))
    logical[`${CLUSTER_TAG_PREFIX}${cluster}`] = '1';
  if (tags.has(GCE_NODE_ROLE_NETWORK_TAG)) logical[NODE_ROLE_TAG] = '1';
  return logical;
}
