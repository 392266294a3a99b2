import {
  AssociateDhcpOptionsCommand,
  AttachInternetGatewayCommand,
  CreateDhcpOptionsCommand,
  CreateInternetGatewayCommand,
  CreateVpcCommand,
  DescribeDhcpOptionsCommand,
  DescribeInternetGatewaysCommand,
  type DescribeInternetGatewaysCommandInput,
  DescribeVpcsCommand,
  type InternetGateway,
  ModifyVpcAttributeCommand,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { invalidArgument } from '@trellis/core';
import { call, describeOrUndefined, type InfrastructureContext } from './aws-infrastructure-context.js';
import {
  ownedFilters,
  ownedTags,
  resourceNames,
  stateKeys,
  tagSpecifications,
} from './aws-infrastructure-names.js';
import { reconcileTags } from './aws-vpc-tags.js';

/** The VPC recorded in the state (set by {@link ensureVpc}). */
export function vpcIdOf(context: InfrastructureContext): string {
  const id = context.state.id(stateKeys.vpc);
  if (!id) throw new Error('the VPC step has not run');
  return id;
}

async function describeVpcById(context: InfrastructureContext, id: string): Promise<Vpc | undefined> {
  return describeOrUndefined(context, 'DescribeVpcs', 'reconcile:vpc', async () => {
    const response = await context.ec2.send(new DescribeVpcsCommand({ VpcIds: [id] }));
    return response.Vpcs?.[0];
  });
}

/** Step `vpc`: adopts the bring-your-own VPC, or finds or creates the cluster's VPC with DNS enabled. */
export async function ensureVpc(context: InfrastructureContext): Promise<void> {
  const { cluster, config } = context;
  const existingId = config.networks.vpc.id;
  if (existingId) {
    const vpc = await describeVpcById(context, existingId);
    if (!vpc) {
      throw invalidArgument('the VPC to use does not exist', [
        { path: 'networks.vpc.id', message: `VPC "${existingId}" does not exist in ${context.region}` },
      ]);
    }
    context.state.set(stateKeys.vpc, {
      id: existingId,
      kind: 'vpc',
      managed: false,
      attributes: { cidr: vpc.CidrBlock ?? '' },
    });
    return;
  }
  const name = resourceNames.vpc(cluster);
  const recordedId = context.state.id(stateKeys.vpc);
  let vpc = recordedId ? await describeVpcById(context, recordedId) : undefined;
  vpc ??= await call(context, 'DescribeVpcs', 'reconcile:vpc', async () => {
    const response = await context.ec2.send(
      new DescribeVpcsCommand({ Filters: ownedFilters(cluster, name) }),
    );
    return response.Vpcs?.[0];
  });
  if (vpc?.VpcId) {
    await reconcileTags(context, vpc.VpcId, vpc.Tags, ownedTags(cluster, name));
  } else {
    // Write-ahead: a process killed after CreateVpc reached EC2 but before the state was saved
    // leaves this mark, so delete looks the VPC up by its tags instead of leaking it.
    context.state.markPending(stateKeys.vpc, { kind: 'vpc', name });
    await context.saveState();
    vpc = await call(context, 'CreateVpc', 'reconcile:vpc', async () => {
      const response = await context.ec2.send(
        new CreateVpcCommand({
          CidrBlock: config.networks.vpc.cidr,
          TagSpecifications: tagSpecifications('vpc', cluster, name),
        }),
      );
      return response.Vpc;
    });
  }
  const vpcId = vpc?.VpcId;
  if (!vpcId) throw new Error('CreateVpc returned no VPC id');
  context.state.set(stateKeys.vpc, {
    id: vpcId,
    kind: 'vpc',
    managed: true,
    attributes: { cidr: vpc?.CidrBlock ?? config.networks.vpc.cidr ?? '' },
  });
  // Two calls: EC2 modifies one attribute per call. Both are idempotent.
  for (const attribute of ['EnableDnsSupport', 'EnableDnsHostnames'] as const) {
    await call(context, 'ModifyVpcAttribute', 'reconcile:vpc', () =>
      context.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, [attribute]: { Value: true } })),
    );
  }
}

/** Step `dhcp-options`: the DHCP option set (`<region>.compute.internal`, AmazonProvidedDNS), associated. */
export async function ensureDhcpOptions(context: InfrastructureContext): Promise<void> {
  const { cluster, region } = context;
  const vpcId = vpcIdOf(context);
  const name = resourceNames.dhcpOptions(cluster);
  const recordedId = context.state.id(stateKeys.dhcpOptions);
  const describe = (filter: { DhcpOptionsIds?: string[]; Filters?: ReturnType<typeof ownedFilters> }) =>
    describeOrUndefined(context, 'DescribeDhcpOptions', 'reconcile:dhcp-options', async () => {
      const response = await context.ec2.send(new DescribeDhcpOptionsCommand(filter));
      return response.DhcpOptions?.[0];
    });
  let options = recordedId ? await describe({ DhcpOptionsIds: [recordedId] }) : undefined;
  options ??= await describe({ Filters: ownedFilters(cluster, name) });
  if (!options) {
    const domainName = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
    options = await call(context, 'CreateDhcpOptions', 'reconcile:dhcp-options', async () => {
      const response = await context.ec2.send(
        new CreateDhcpOptionsCommand({
          DhcpConfigurations: [
            { Key: 'domain-name', Values: [domainName] },
            { Key: 'domain-name-servers', Values: ['AmazonProvidedDNS'] },
          ],
          TagSpecifications: tagSpecifications('dhcp-options', cluster, name),
        }),
      );
      return response.DhcpOptions;
    });
  } else if (options.DhcpOptionsId) {
    await reconcileTags(context, options.DhcpOptionsId, options.Tags, ownedTags(cluster, name));
  }
  const dhcpOptionsId = options?.DhcpOptionsId;
  if (!dhcpOptionsId) throw new Error('CreateDhcpOptions returned no id');
  context.state.set(stateKeys.dhcpOptions, { id: dhcpOptionsId, kind: 'dhcp-options', managed: true });
  const vpc = await describeVpcById(context, vpcId);
  if (vpc?.DhcpOptionsId !== dhcpOptionsId) {
    await call(context, 'AssociateDhcpOptions', 'reconcile:dhcp-options', () =>
      context.ec2.send(new AssociateDhcpOptionsCommand({ DhcpOptionsId: dhcpOptionsId, VpcId: vpcId })),
    );
  }
}

async function describeGateways(context: InfrastructureContext, input: DescribeInternetGatewaysCommandInput) {
  return (
    (await describeOrUndefined(
      context,
      'DescribeInternetGateways',
      'reconcile:internet-gateway',
      async () => {
        const response = await context.ec2.send(new DescribeInternetGatewaysCommand(input));
        return response.InternetGateways;
      },
    )) ?? []
  );
}

/**
 * Step `internet-gateway`: for a managed VPC finds or creates the gateway and attaches it; for a
 * bring-your-own VPC adopts the gateway already attached (unmanaged), as Gardener requires one.
 */
export async function ensureInternetGateway(context: InfrastructureContext): Promise<void> {
  const { cluster } = context;
  const vpcId = vpcIdOf(context);
  if (context.config.networks.vpc.id) {
    const [gateway] = await describeGateways(context, {
      Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }],
    });
    if (!gateway?.InternetGatewayId) {
      throw invalidArgument('the VPC to use has no internet gateway', [
        { path: 'networks.vpc.id', message: `VPC "${vpcId}" must have an internet gateway attached` },
      ]);
    }
    context.state.set(stateKeys.internetGateway, {
      id: gateway.InternetGatewayId,
      kind: 'internet-gateway',
      managed: false,
      attributes: { vpcId },
    });
    return;
  }
  const name = resourceNames.internetGateway(cluster);
  const recordedId = context.state.id(stateKeys.internetGateway);
  let gateway: InternetGateway | undefined = recordedId
    ? (await describeGateways(context, { InternetGatewayIds: [recordedId] }))[0]
    : undefined;
  gateway ??= (await describeGateways(context, { Filters: ownedFilters(cluster, name) }))[0];
  if (gateway?.InternetGatewayId) {
    await reconcileTags(context, gateway.InternetGatewayId, gateway.Tags, ownedTags(cluster, name));
  } else {
    gateway = await call(context, 'CreateInternetGateway', 'reconcile:internet-gateway', async () => {
      const response = await context.ec2.send(
        new CreateInternetGatewayCommand({
          TagSpecifications: tagSpecifications('internet-gateway', cluster, name),
        }),
      );
      return response.InternetGateway;
    });
  }
  const gatewayId = gateway?.InternetGatewayId;
  if (!gatewayId) throw new Error('CreateInternetGateway returned no id');
  context.state.set(stateKeys.internetGateway, { id: gatewayId, kind: 'internet-gateway', managed: true });
  if (!gateway?.Attachments?.some((attachment) => attachment.VpcId === vpcId)) {
    await call(context, 'AttachInternetGateway', 'reconcile:internet-gateway', () =>
      context.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId })),
    );
  }
  context.state.set(stateKeys.internetGateway, {
    id: gatewayId,
    kind: 'internet-gateway',
    managed: true,
    attributes: { vpcId },
  });
}
