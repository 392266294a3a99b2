import type { InfrastructureStatus } from '@trellis/core';
import type { GcpInfrastructureContext } from './gcp-infrastructure-context.js';
import { FIREWALL_RULES, stateKeys } from './gcp-infrastructure-names.js';
import { natIps } from './gcp-nat-step.js';

/** A subnet of the cluster's network. */
export interface GcpSubnetStatus {
  readonly name: string;
  /** `nodes` (the nodes' subnet) or `internal` (internal load balancers). */
  readonly purpose: 'nodes' | 'internal';
  readonly cidr: string;
}

/**
 * The status of the GCP infrastructure, after Gardener's `InfrastructureStatus`, plus the core's
 * fields: `networkId` is the network's name, `subnets` holds one entry for the region (GCE subnets
 * are regional), `securityGroupIds` the firewall rules, `egressAddresses` the NAT's IPs and
 * `identity` the service account's email.
 */
export interface GcpInfrastructureStatus extends InfrastructureStatus {
  readonly networkName: string;
  /** False for a bring-your-own VPC. */
  readonly networkManaged: boolean;
  readonly subnetworks: readonly GcpSubnetStatus[];
  readonly router: { readonly name: string; readonly managed: boolean };
  readonly natName: string;
  /** The NAT's external IPs: the named addresses, or those GCE allocated. */
  readonly natIPs: readonly string[];
  readonly firewallRules: readonly string[];
  readonly serviceAccountEmail?: string;
}

/** Builds the status from the state, reading the automatically allocated NAT IPs from the router. */
export async function buildGcpInfrastructureStatus(
  context: GcpInfrastructureContext,
): Promise<GcpInfrastructureStatus> {
  const { state, names, region } = context;
  const subnetworks: GcpSubnetStatus[] = [];
  for (const purpose of ['nodes', 'internal'] as const) {
    const subnet = state.get(stateKeys.subnet(purpose));
    if (subnet?.id)
      subnetworks.push({ name: subnet.id, purpose, cidr: String(subnet.attributes?.cidr ?? '') });
  }
  const firewallRules = FIREWALL_RULES.map((rule) => state.id(stateKeys.firewall(rule))).filter(
    (name): name is string => name !== undefined,
  );
  const serviceAccountEmail = state.id(stateKeys.serviceAccount);
  const egress = await natIps(context);
  const internal = subnetworks.find((subnet) => subnet.purpose === 'internal');
  return {
    networkId: names.network,
    networkName: names.network,
    networkManaged: state.get(stateKeys.network)?.managed !== false,
    subnets: [{ zone: region, nodes: names.nodesSubnet, ...(internal ? { internal: internal.name } : {}) }],
    securityGroupIds: firewallRules,
    egressAddresses: egress,
    subnetworks,
    router: { name: names.router, managed: state.get(stateKeys.router)?.managed !== false },
    natName: names.nat,
    natIPs: egress,
    firewallRules,
    ...(serviceAccountEmail ? { serviceAccountEmail, identity: serviceAccountEmail } : {}),
  };
}
