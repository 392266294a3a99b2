import {
  type Address,
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateSubnetCommand,
  DescribeAddressesCommand,
  type DescribeAddressesCommandInput,
  DescribeNatGatewaysCommand,
  type DescribeNatGatewaysCommandInput,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandInput,
  type NatGateway,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { invalidArgument, TrellisError } from '@trellis/core';
import { waitForOperation } from '@trellis/provider-kit';
import { call, describeOrUndefined, type InfrastructureContext } from './aws-infrastructure-context.js';
import {
  ownedFilters,
  ownedTags,
  resourceNames,
  type SubnetPurpose,
  stateKeys,
  tagSpecifications,
} from './aws-infrastructure-names.js';
import { vpcIdOf } from './aws-vpc-network-steps.js';
import { reconcileTags } from './aws-vpc-tags.js';

const CONFIG_FIELD = { nodes: 'workers', public: 'public', internal: 'internal' } as const;
const ELB_ROLE_TAGS: Record<SubnetPurpose, Record<string, string>> = {
  nodes: {},
  public: { 'kubernetes.io/role/elb': 'use' },
  internal: { 'kubernetes.io/role/internal-elb': 'use' },
};

async function describeSubnets(context: InfrastructureContext, input: DescribeSubnetsCommandInput) {
  return (
    (await describeOrUndefined(context, 'DescribeSubnets', 'reconcile:subnet', async () => {
      const response = await context.ec2.send(new DescribeSubnetsCommand(input));
      return response.Subnets;
    })) ?? []
  );
}

/** Step `subnet/<zone>/<purpose>`: adopts the given subnet, or finds or creates the zone's subnet. */
export async function ensureSubnet(
  context: InfrastructureContext,
  zoneIndex: number,
  purpose: SubnetPurpose,
) {
  const { cluster } = context;
  const zone = context.config.networks.zones[zoneIndex]!;
  const key = stateKeys.subnet(zone.name, purpose);
  const vpcId = vpcIdOf(context);
  const existingId = zone.subnetIds?.[CONFIG_FIELD[purpose]];
  if (zone.subnetIds) {
    if (!existingId) return;
    const [subnet] = await describeSubnets(context, { SubnetIds: [existingId] });
    if (subnet?.VpcId !== vpcId) {
      throw invalidArgument('a subnet to use is not in the VPC', [
        {
          path: `networks.zones[${zoneIndex}].subnetIds.${CONFIG_FIELD[purpose]}`,
          message: `subnet "${existingId}" does not exist in VPC "${vpcId}"`,
        },
      ]);
    }
    context.state.set(key, {
      id: existingId,
      kind: 'subnet',
      managed: false,
      attributes: { zone: subnet.AvailabilityZone ?? zone.name, cidr: subnet.CidrBlock ?? '' },
    });
    return;
  }
  const cidr = zone[CONFIG_FIELD[purpose]]!;
  const name = resourceNames.subnet(cluster, purpose, zoneIndex);
  const tags = ownedTags(cluster, name, ELB_ROLE_TAGS[purpose]);
  const recordedId = context.state.id(key);
  let subnet: Subnet | undefined = recordedId
    ? (await describeSubnets(context, { SubnetIds: [recordedId] }))[0]
    : undefined;
  subnet ??= (
    await describeSubnets(context, {
      Filters: ownedFilters(cluster, name, [{ Name: 'vpc-id', Values: [vpcId] }]),
    })
  )[0];
  if (subnet?.SubnetId) {
    await reconcileTags(context, subnet.SubnetId, subnet.Tags, tags);
  } else {
    subnet = await call(context, 'CreateSubnet', `reconcile:${key}`, async () => {
      const response = await context.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: cidr,
          AvailabilityZone: zone.name,
          TagSpecifications: tagSpecifications('subnet', cluster, name, ELB_ROLE_TAGS[purpose]),
        }),
      );
      return response.Subnet;
    });
  }
  if (!subnet?.SubnetId) throw new Error('CreateSubnet returned no id');
  context.state.set(key, {
    id: subnet.SubnetId,
    kind: 'subnet',
    managed: true,
    attributes: { zone: zone.name, cidr: subnet.CidrBlock ?? cidr },
  });
}

async function describeAddress(context: InfrastructureContext, input: DescribeAddressesCommandInput) {
  return describeOrUndefined(context, 'DescribeAddresses', 'reconcile:elastic-ip', async () => {
    const response = await context.ec2.send(new DescribeAddressesCommand(input));
    return response.Addresses?.[0];
  });
}

/** Step `elastic-ip/<zone>`: adopts the configured allocation, or finds or allocates the NAT's address. */
export async function ensureElasticIp(context: InfrastructureContext, zoneIndex: number): Promise<void> {
  const { cluster } = context;
  const zone = context.config.networks.zones[zoneIndex]!;
  const key = stateKeys.elasticIp(zone.name);
  if (zone.elasticIPAllocationID) {
    const address = await describeAddress(context, { AllocationIds: [zone.elasticIPAllocationID] });
    if (!address?.PublicIp) {
      throw invalidArgument('an elastic IP to use does not exist', [
        {
          path: `networks.zones[${zoneIndex}].elasticIPAllocationID`,
          message: `allocation "${zone.elasticIPAllocationID}" does not exist`,
        },
      ]);
    }
    context.state.set(key, {
      id: zone.elasticIPAllocationID,
      kind: 'elastic-ip',
      managed: false,
      attributes: { publicIp: address.PublicIp },
    });
    return;
  }
  const name = resourceNames.elasticIp(cluster, zoneIndex);
  const recordedId = context.state.id(key);
  let address: Address | undefined = recordedId
    ? await describeAddress(context, { AllocationIds: [recordedId] })
    : undefined;
  address ??= await describeAddress(context, { Filters: ownedFilters(cluster, name) });
  if (address?.AllocationId) {
    await reconcileTags(context, address.AllocationId, address.Tags, ownedTags(cluster, name));
  } else {
    const allocated = await call(context, 'AllocateAddress', `reconcile:${key}`, () =>
      context.ec2.send(
        new AllocateAddressCommand({
          Domain: 'vpc',
          TagSpecifications: tagSpecifications('elastic-ip', cluster, name),
        }),
      ),
    );
    address = { AllocationId: allocated.AllocationId, PublicIp: allocated.PublicIp };
  }
  if (!address.AllocationId) throw new Error('AllocateAddress returned no allocation id');
  context.state.set(key, {
    id: address.AllocationId,
    kind: 'elastic-ip',
    managed: true,
    attributes: { publicIp: address.PublicIp ?? '' },
  });
}

const LIVE_NAT_STATES = ['pending', 'available'];

async function describeNatGateway(context: InfrastructureContext, input: DescribeNatGatewaysCommandInput) {
  const gateways =
    (await describeOrUndefined(context, 'DescribeNatGateways', 'reconcile:nat-gateway', async () => {
      const response = await context.ec2.send(new DescribeNatGatewaysCommand(input));
      return response.NatGateways;
    })) ?? [];
  return gateways.find((gateway) => LIVE_NAT_STATES.includes(gateway.State ?? ''));
}

/**
 * Waits until the NAT gateway reaches one of `states`; `undefined` (gone) counts as `deleted`.
 * Polls every `pollIntervalMs`, gives up after `natGatewayTimeoutMs`, stops on abort.
 */
export async function waitForNatGateway(
  context: InfrastructureContext,
  natGatewayId: string,
  states: readonly string[],
): Promise<NatGateway | undefined> {
  return waitForOperation<NatGateway | undefined>({
    poll: async () => {
      const gateway = await describeOrUndefined(
        context,
        'DescribeNatGateways',
        'natGateway:wait',
        async () => {
          const response = await context.ec2.send(
            new DescribeNatGatewaysCommand({ NatGatewayIds: [natGatewayId] }),
          );
          return response.NatGateways?.[0];
        },
      );
      const state = gateway?.State ?? 'deleted';
      if (states.includes(state)) return { done: true, result: gateway };
      if (state !== 'failed') return { done: false };
      const reason = `${gateway?.FailureCode ?? ''} ${gateway?.FailureMessage ?? ''}`.trim();
      return {
        done: true,
        error: new TrellisError({
          code: 'Unavailable',
          provider: 'aws',
          operation: 'natGateway:wait',
          message: `NAT gateway ${natGatewayId} failed: ${reason}`.trim(),
        }),
      };
    },
    initialDelayMs: context.timing.pollIntervalMs,
    factor: 1,
    maxDelayMs: context.timing.pollIntervalMs,
    timeoutMs: context.timing.natGatewayTimeoutMs,
    what: `NAT gateway ${natGatewayId} (waiting for ${states.join(' or ')})`,
    context: { provider: 'aws', operation: 'natGateway:wait' },
    signal: context.signal,
  });
}

/** Step `nat-gateway/<zone>`: finds or creates the NAT gateway in the public subnet and waits until available. */
export async function ensureNatGateway(context: InfrastructureContext, zoneIndex: number): Promise<void> {
  const { cluster } = context;
  const zone = context.config.networks.zones[zoneIndex]!;
  const key = stateKeys.natGateway(zone.name);
  const subnetId = context.state.id(stateKeys.subnet(zone.name, 'public'))!;
  const allocationId = context.state.id(stateKeys.elasticIp(zone.name))!;
  const name = resourceNames.natGateway(cluster, zoneIndex);
  const recordedId = context.state.id(key);
  let gateway = recordedId ? await describeNatGateway(context, { NatGatewayIds: [recordedId] }) : undefined;
  gateway ??= await describeNatGateway(context, {
    Filter: ownedFilters(cluster, name, [{ Name: 'state', Values: LIVE_NAT_STATES }]),
  });
  if (gateway?.NatGatewayId) {
    await reconcileTags(context, gateway.NatGatewayId, gateway.Tags, ownedTags(cluster, name));
  } else {
    gateway = await call(context, 'CreateNatGateway', `reconcile:${key}`, async () => {
      const response = await context.ec2.send(
        new CreateNatGatewayCommand({
          SubnetId: subnetId,
          AllocationId: allocationId,
          TagSpecifications: tagSpecifications('natgateway', cluster, name),
        }),
      );
      return response.NatGateway;
    });
  }
  const natGatewayId = gateway?.NatGatewayId;
  if (!natGatewayId) throw new Error('CreateNatGateway returned no id');
  // Recorded before waiting: an interrupted wait resumes on this gateway instead of making another.
  context.state.set(key, {
    id: natGatewayId,
    kind: 'nat-gateway',
    managed: true,
    attributes: { zone: zone.name },
  });
  if (gateway?.State !== 'available') await waitForNatGateway(context, natGatewayId, ['available']);
}
