import { createHash } from 'node:crypto';
import { gceClusterNetworkTag } from '@trellis/provider-kit';
import type { GcpInfrastructureConfig } from './gcp-infrastructure-config.js';

/** The firewall rules a reconcile makes, by state key suffix. */
export const FIREWALL_RULES = [
  'allow-internal-access',
  'allow-external-access',
  'allow-health-checks',
] as const;
export type FirewallRule = (typeof FIREWALL_RULES)[number];

/** Keys of the infrastructure state. */
export const stateKeys = {
  serviceAccount: 'service-account',
  network: 'network',
  subnet: (purpose: 'nodes' | 'internal') => `subnet/${purpose}`,
  router: 'router',
  nat: 'nat',
  firewall: (rule: FirewallRule) => `firewall/${rule}`,
} as const;

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * A GCE resource name for `base` + `suffix` (Gardener's `<cluster><suffix>`) that GCE accepts:
 * RFC 1035, at most `max` characters. A name too long keeps its start and ends with a hash of the
 * whole, so it stays unique and the same on every call; a base starting with a digit gets `t-`.
 */
export function gceResourceName(base: string, suffix = '', max = 63): string {
  const whole = /^[a-z]/.test(base) ? `${base}${suffix}` : `t-${base}${suffix}`;
  if (whole.length <= max) return whole;
  const hash = shortHash(whole);
  const head = whole.slice(0, max - hash.length - 1 - suffix.length).replace(/-+$/, '');
  return `${head}-${hash}${suffix}`.slice(0, max);
}

/** The names of what a reconcile of `cluster` makes or uses. */
export interface GcpInfrastructureNames {
  /** The VPC network (the user's with `networks.vpc`). */
  readonly network: string;
  readonly nodesSubnet: string;
  readonly internalSubnet: string;
  /** The Cloud Router (the user's with `networks.vpc.cloudRouter`). */
  readonly router: string;
  readonly nat: string;
  readonly firewall: (rule: FirewallRule) => string;
  /** The service account's id (6–30 characters), the part of its email before `@`. */
  readonly serviceAccountId: string;
  /** The network tag every node of the cluster carries, which firewall rules target. */
  readonly clusterTag: string;
}

/** Gardener's names: `<cluster>`, `<cluster>-nodes`, `<cluster>-cloud-router`, ... */
export function infrastructureNames(
  cluster: string,
  config: GcpInfrastructureConfig,
): GcpInfrastructureNames {
  const accountBase = cluster.length < 6 ? `${cluster}-nodes` : cluster;
  return {
    network: config.networks.vpc?.name ?? gceResourceName(cluster),
    nodesSubnet: gceResourceName(cluster, '-nodes'),
    internalSubnet: gceResourceName(cluster, '-internal'),
    router: config.networks.vpc?.cloudRouter?.name ?? gceResourceName(cluster, '-cloud-router'),
    nat: gceResourceName(cluster, '-cloud-nat'),
    firewall: (rule) => gceResourceName(cluster, `-${rule}`),
    serviceAccountId: gceResourceName(accountBase, '', 30),
    clusterTag: gceClusterNetworkTag(cluster),
  };
}
