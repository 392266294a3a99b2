// Reconcile a cluster's network (VPC, security group, a vSwitch per zone, an Enhanced NAT gateway,
// an EIP and an SNAT entry per zone), print its status, then delete exactly what was made.
import type { InfrastructureState } from '@trellis/core';
import type { AlicloudInfrastructureConfig } from '@trellis/provider-alicloud';
import { detail, openTarget, step } from './alicloud-target.ts';

const cluster = process.env.TRELLIS_ALICLOUD_CLUSTER ?? 'example-network';
const target = await openTarget();
const { provider, region } = target;
const config: AlicloudInfrastructureConfig = provider.infrastructure.validateConfig({
  networks: {
    vpc: { cidr: process.env.TRELLIS_ALICLOUD_VPC_CIDR ?? '10.250.0.0/16' },
    zones: [
      { name: `${region}a`, workers: '10.250.0.0/19' },
      { name: `${region}b`, workers: '10.250.32.0/19' },
    ],
  },
  podsCidr: '100.96.0.0/11',
  servicesCidr: '100.72.0.0/13',
});
let state: InfrastructureState | undefined;
try {
  step(`Reconciling the network of cluster "${cluster}" in ${region} (${target.mode})`);
  const result = await provider.infrastructure.reconcile(
    { cluster, region, config, state },
    // Persist the state after every step (and before every create) in a real controller; here it stays in memory.
    {
      onState: (next) => {
        state = next;
      },
    },
  );
  state = result.state;
  const { status } = result;
  detail(`VPC ${status.vpc.id} (${status.vpc.cidr}), NAT gateway ${status.natGatewayId}`);
  for (const vswitch of status.vpc.vswitches)
    detail(`vSwitch ${vswitch.id} (${vswitch.purpose}) in ${vswitch.zone}`);
  detail(`security group ${status.vpc.securityGroups[0]!.id}`);
  detail(`egress CIDRs: ${status.egressCIDRs.join(', ')}`);
  detail(`${Object.keys(state.resources).length} resources recorded in the state`);
} finally {
  if (state) {
    step("Deleting the network (Gardener's order, only what the state lists)");
    await provider.infrastructure.delete({ cluster, region, config, state });
    detail('deleted');
  }
  await target.close();
}
