// Reconcile a cluster's network (VPC, subnets, NAT gateway, routes, security group, IAM instance
// profile), print its status, then delete exactly what was made.
import type { InfrastructureState } from '@trellis/core';
import type { AwsInfrastructureConfig } from '@trellis/provider-aws';
import { detail, openTarget, step } from './aws-target.ts';

const cluster = process.env.TRELLIS_AWS_CLUSTER ?? 'example-network';
const target = await openTarget();
const { provider, region } = target;
const zone = process.env.TRELLIS_AWS_ZONE ?? `${region}a`;
const config: AwsInfrastructureConfig = provider.infrastructure.validateConfig({
  networks: {
    vpc: { cidr: process.env.TRELLIS_AWS_VPC_CIDR ?? '10.180.0.0/16' },
    zones: [{ name: zone, workers: '10.180.0.0/19', public: '10.180.32.0/20', internal: '10.180.48.0/20' }],
  },
});
let state: InfrastructureState | undefined;
try {
  step(`Reconciling the network of cluster "${cluster}" in ${region} (${target.mode})`);
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
  detail(`VPC ${result.status.vpcId}, security groups ${result.status.securityGroupIds.join(', ')}`);
  for (const subnets of result.status.subnets) {
    detail(
      `zone ${subnets.zone}: nodes ${subnets.nodes}, public ${subnets.public ?? '-'}, internal ${subnets.internal ?? '-'}`,
    );
  }
  detail(
    `egress addresses: ${result.status.egressAddresses.join(', ') || '-'}; instance profile: ${result.status.identity ?? '-'}`,
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
