// Reconcile a cluster's network (VPC, nodes and internal subnets, Cloud Router, Cloud NAT, firewall
// rules, the nodes' service account), print its status, then delete exactly what was made.
import type { InfrastructureState } from '@trellis/core';
import type { GcpInfrastructureConfig } from '@trellis/provider-gcp';
import { detail, openTarget, step } from './gcp-target.ts';

const cluster = process.env.TRELLIS_GCP_CLUSTER ?? 'example-network';
const target = await openTarget();
const { provider, region } = target;
const config: GcpInfrastructureConfig = provider.infrastructure.validateConfig({
  networks: {
    workers: process.env.TRELLIS_GCP_WORKERS_CIDR ?? '10.250.0.0/16',
    internal: '10.251.0.0/16',
    cloudNAT: { minPortsPerVM: 4096 },
    flowLogs: { aggregationInterval: 'INTERVAL_5_MIN' },
  },
  podsCidr: '100.96.0.0/11',
  servicesCidr: '100.64.0.0/13',
});
let state: InfrastructureState | undefined;
try {
  step(`Reconciling the network of cluster "${cluster}" in ${target.project}/${region} (${target.mode})`);
  const result = await provider.infrastructure.reconcile(
    { cluster, region, config, state },
    // Persist the state after every step in a real controller; here it stays in memory.
    {
      onState: (next) => {
        state = next;
      },
    },
  );
  state = result.state;
  const { status } = result;
  detail(`network ${status.networkName}, router ${status.router.name}, NAT ${status.natName}`);
  for (const subnet of status.subnetworks) detail(`subnet ${subnet.name} (${subnet.purpose}) ${subnet.cidr}`);
  detail(`firewall rules: ${status.firewallRules.join(', ')}`);
  detail(
    `egress addresses: ${status.egressAddresses.join(', ') || '-'}; nodes' service account: ${status.serviceAccountEmail ?? '-'}`,
  );
  detail(`${Object.keys(state.resources).length} resources recorded in the state`);
} finally {
  if (state) {
    step('Deleting the network (reverse dependency order, only what the state lists)');
    await provider.infrastructure.delete({ cluster, region, config, state });
    detail('deleted');
  }
  await target.close();
}
