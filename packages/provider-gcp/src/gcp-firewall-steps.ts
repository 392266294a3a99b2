import type { protos } from '@google-cloud/compute';
import { CALL_OPTIONS } from './gcp-compute-clients.js';
import {
  ensureNamedResource,
  type GcpInfrastructureContext,
  links,
  mutate,
  ownedDescription,
} from './gcp-infrastructure-context.js';
import { type FirewallRule, stateKeys } from './gcp-infrastructure-names.js';

type Firewall = protos.google.cloud.compute.v1.IFirewall;

/** Google's documented source ranges of load balancer health checks. */
export const HEALTH_CHECK_RANGES = ['35.191.0.0/16', '209.85.204.0/22', '209.85.152.0/22', '130.211.0.0/22'];

/**
 * The rule's body, as Gardener's: INGRESS at priority 1000. Unlike Gardener's, every rule targets
 * the cluster's network tag (which every node carries), so in a shared VPC it opens only the
 * cluster's nodes, not every VM of the network.
 */
export function desiredFirewall(context: GcpInfrastructureContext, rule: FirewallRule): Firewall {
  const { config, names, project } = context;
  const common = {
    name: names.firewall(rule),
    description: ownedDescription(`firewall rule ${rule}`, context.cluster),
    network: links.network(project, names.network),
    direction: 'INGRESS',
    priority: 1000,
    disabled: false,
    targetTags: [names.clusterTag],
  };
  switch (rule) {
    case 'allow-internal-access':
      return {
        ...common,
        allowed: [
          { IPProtocol: 'icmp' },
          { IPProtocol: 'ipip' },
          { IPProtocol: 'tcp', ports: ['1-65535'] },
          { IPProtocol: 'udp', ports: ['1-65535'] },
        ],
        sourceRanges: [config.podsCidr, config.networks.internal, config.networks.workers].filter(
          (range): range is string => typeof range === 'string',
        ),
      };
    case 'allow-external-access':
      return {
        ...common,
        allowed: [{ IPProtocol: 'tcp', ports: ['80', '443'] }],
        sourceRanges: ['0.0.0.0/0'],
      };
    case 'allow-health-checks':
      return {
        ...common,
        allowed: [
          { IPProtocol: 'tcp', ports: ['30000-32767'] },
          { IPProtocol: 'udp', ports: ['30000-32767'] },
        ],
        sourceRanges: [...HEALTH_CHECK_RANGES],
      };
  }
}

/** What a reconcile compares: protocols and ports, sources, targets, priority, and the network. */
function fingerprintOf(firewall: Firewall): string {
  return JSON.stringify([
    (firewall.network ?? '').split('/').pop(),
    firewall.direction ?? 'INGRESS',
    firewall.priority ?? 1000,
    Boolean(firewall.disabled),
    (firewall.allowed ?? [])
      .map((allowed) => `${allowed.IPProtocol}:${(allowed.ports ?? []).join(',')}`)
      .sort(),
    [...(firewall.sourceRanges ?? [])].sort(),
    [...(firewall.targetTags ?? [])].sort(),
  ]);
}

/** A firewall rule, created or (when someone changed it) written back as it should be. */
export async function ensureFirewall(context: GcpInfrastructureContext, rule: FirewallRule): Promise<void> {
  const { compute, project } = context;
  const wanted = desiredFirewall(context, rule);
  const name = wanted.name!;
  const found = await ensureNamedResource(context, {
    key: stateKeys.firewall(rule),
    kind: 'firewall',
    name,
    collection: 'firewalls',
    what: `firewall rule ${rule}`,
    get: () => compute.firewalls.get({ project, firewall: name }, CALL_OPTIONS),
    insert: (requestId) =>
      compute.firewalls.insert({ project, requestId, firewallResource: wanted }, CALL_OPTIONS),
  });
  if (fingerprintOf(found) === fingerprintOf(wanted) && found.description === wanted.description) return;
  await mutate(context, 'firewalls.update', (requestId) =>
    compute.firewalls.update({ project, firewall: name, requestId, firewallResource: wanted }, CALL_OPTIONS),
  );
}
