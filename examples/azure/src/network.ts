// Reconcile a cluster's network (resource group, VNet, route table, security group, a subnet and a
// NAT gateway with its public IP per zone), print its status, then delete exactly what was made.
import type { InfrastructureState } from '@trellis/core';
import { detail, openTarget, step } from './azure-target.ts';

const cluster = process.env.TRELLIS_AZURE_CLUSTER ?? 'example-network';
const target = await openTarget();
const { provider, location } = target;
const config = provider.infrastructure.validateConfig({
  zoned: true,
  networks: {
    vnet: { cidr: process.env.TRELLIS_AZURE_VNET_CIDR ?? '10.250.0.0/16' },
    zones: [
      { name: 1, cidr: '10.250.0.0/19', natGateway: { enabled: true, idleConnectionTimeoutMinutes: 10 } },
      { name: 2, cidr: '10.250.32.0/19', natGateway: { enabled: true } },
    ],
  },
  podsCidr: '100.96.0.0/11',
  servicesCidr: '100.64.0.0/13',
});
let state: InfrastructureState | undefined;
try {
  step(`Reconciling the network of cluster "${cluster}" in ${location} (${target.mode})`);
  const result = await provider.infrastructure.reconcile(
    { cluster, region: location, config, state },
    // Persist the state after every step in a real controller; here it stays in memory.
    {
      onState: (next) => {
        state = next;
      },
    },
  );
  state = result.state;
  const { status } = result;
  detail(
    `resource group ${status.resourceGroup.name}, VNet ${status.networks.vnet.name} (${status.networks.layout})`,
  );
  for (const subnet of status.networks.subnets)
    detail(
      `subnet ${subnet.name} zone ${subnet.zone ?? '-'} ${subnet.cidr} via ${subnet.natGatewayId?.split('/').at(-1) ?? 'no NAT'}`,
    );
  detail(`security group ${status.securityGroups[0]!.name}, route table ${status.routeTables[0]!.name}`);
  detail(`outbound ${status.networks.outboundAccessType}, egress ${status.egressCIDRs.join(', ') || '-'}`);
  detail(`${Object.keys(state.resources).length} resources recorded in the state`);
} finally {
  if (state) {
    step('Deleting the network (the resource group with everything in it)');
    await provider.infrastructure.delete({ cluster, region: location, config, state });
    detail('deleted');
  }
  await target.close();
}
