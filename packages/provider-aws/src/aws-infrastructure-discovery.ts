import {
  DescribeAddressesCommand,
  DescribeDhcpOptionsCommand,
  DescribeInternetGatewaysCommand,
  DescribeKeyPairsCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import type { CreatedResource } from '@trellis/core';
import { describeOrUndefined, type InfrastructureContext, tagRecord } from './aws-infrastructure-context.js';
import { clusterTagKey, resourceNames } from './aws-infrastructure-names.js';

type Found = Array<{ id: string | undefined; kind: string; attributes?: CreatedResource['attributes'] }>;

/**
 * Finds what this cluster owns (tag `kubernetes.io/cluster/<cluster>=owned`, IAM and key pair by
 * their names) but the state does not record: a resource whose create went through while the
 * process died before the state was saved, or a route table association never saved. Adds them
 * to the state so delete removes them too. Ids in `excluded` (bring your own) are never added.
 */
export async function discoverUnrecordedResources(
  context: InfrastructureContext,
  excluded: ReadonlySet<string>,
): Promise<void> {
  const { ec2, iam, cluster } = context;
  const owned: Filter[] = [{ Name: `tag:${clusterTagKey(cluster)}`, Values: ['owned'] }];
  const operation = 'delete:discover';
  const describe = <T>(action: string, send: () => Promise<T | undefined>) =>
    describeOrUndefined(context, action, operation, send);

  const batches = await Promise.all([
    describe('DescribeVpcs', async () => {
      const response = await ec2.send(new DescribeVpcsCommand({ Filters: owned }));
      return (response.Vpcs ?? []).map((vpc) => ({ id: vpc.VpcId, kind: 'vpc' }));
    }),
    describe('DescribeDhcpOptions', async () => {
      const response = await ec2.send(new DescribeDhcpOptionsCommand({ Filters: owned }));
      return (response.DhcpOptions ?? []).map((options) => ({
        id: options.DhcpOptionsId,
        kind: 'dhcp-options',
      }));
    }),
    describe('DescribeInternetGateways', async () => {
      const response = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: owned }));
      return (response.InternetGateways ?? []).map((gateway) => ({
        id: gateway.InternetGatewayId,
        kind: 'internet-gateway',
      }));
    }),
    describe('DescribeSubnets', async () => {
      const response = await ec2.send(new DescribeSubnetsCommand({ Filters: owned }));
      return (response.Subnets ?? []).map((subnet) => ({ id: subnet.SubnetId, kind: 'subnet' }));
    }),
    describe('DescribeAddresses', async () => {
      const response = await ec2.send(new DescribeAddressesCommand({ Filters: owned }));
      return (response.Addresses ?? []).map((address) => ({ id: address.AllocationId, kind: 'elastic-ip' }));
    }),
    describe('DescribeNatGateways', async () => {
      const response = await ec2.send(
        new DescribeNatGatewaysCommand({
          Filter: [...owned, { Name: 'state', Values: ['pending', 'available'] }],
        }),
      );
      return (response.NatGateways ?? []).map((gateway) => ({
        id: gateway.NatGatewayId,
        kind: 'nat-gateway',
      }));
    }),
    describe('DescribeRouteTables', async () => {
      const response = await ec2.send(new DescribeRouteTablesCommand({ Filters: owned }));
      return (response.RouteTables ?? []).map((table) => ({ id: table.RouteTableId, kind: 'route-table' }));
    }),
    describe('DescribeSecurityGroups', async () => {
      const response = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: owned }));
      return (response.SecurityGroups ?? []).map((group) => ({ id: group.GroupId, kind: 'security-group' }));
    }),
    describe('DescribeVpcEndpoints', async () => {
      const response = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: owned }));
      return (response.VpcEndpoints ?? [])
        .filter((endpoint) => !['deleting', 'deleted'].includes((endpoint.State ?? '').toLowerCase()))
        .map((endpoint) => ({ id: endpoint.VpcEndpointId, kind: 'vpc-endpoint' }));
    }),
    describe('DescribeKeyPairs', async () => {
      const response = await ec2.send(new DescribeKeyPairsCommand({ Filters: owned }));
      return (response.KeyPairs ?? []).map((keyPair) => ({ id: keyPair.KeyName, kind: 'key-pair' }));
    }),
    describe('iam:GetRole', async () => {
      const role = (await iam.send(new GetRoleCommand({ RoleName: resourceNames.iamRole(cluster) }))).Role;
      if (tagRecord(role?.Tags)[clusterTagKey(cluster)] !== 'owned') return [];
      const roleName = role?.RoleName ?? '';
      return [
        { id: roleName, kind: 'iam-role' },
        { id: resourceNames.iamRolePolicy(cluster), kind: 'iam-role-policy', attributes: { roleName } },
      ];
    }),
    describe('iam:GetInstanceProfile', async () => {
      const name = resourceNames.iamInstanceProfile(cluster);
      const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })))
        .InstanceProfile;
      if (tagRecord(profile?.Tags)[clusterTagKey(cluster)] !== 'owned') return [];
      return [
        {
          id: name,
          kind: 'iam-instance-profile',
          attributes: { roleName: profile?.Roles?.[0]?.RoleName ?? '' },
        },
      ];
    }),
  ]);
  record(
    context,
    excluded,
    batches.flatMap((batch) => batch ?? []),
  );

  // Associations of every route table to delete, saved or not: a table with one cannot go.
  const tableIds = context.state
    .entries()
    .filter(([, resource]) => resource.kind === 'route-table')
    .map(([, resource]) => resource.id);
  if (tableIds.length === 0) return;
  const tables = await describe('DescribeRouteTables', async () => {
    const response = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: tableIds }] }),
    );
    return response.RouteTables;
  });
  const associations: Found = (tables ?? []).flatMap((table) =>
    (table.Associations ?? [])
      .filter((association) => !association.Main && association.SubnetId)
      .map((association) => ({
        id: association.RouteTableAssociationId,
        kind: 'route-table-association',
        attributes: { routeTableId: table.RouteTableId ?? '', subnetId: association.SubnetId ?? '' },
      })),
  );
  record(context, excluded, associations);
}

function record(context: InfrastructureContext, excluded: ReadonlySet<string>, found: Found): void {
  // By kind and id: the IAM role, its policy and the instance profile share one name.
  const known = new Set(context.state.entries().map(([, resource]) => `${resource.kind}/${resource.id}`));
  for (const { id, kind, attributes } of found) {
    if (!id || known.has(`${kind}/${id}`) || excluded.has(id)) continue;
    known.add(`${kind}/${id}`);
    context.state.set(`discovered/${kind}/${id}`, {
      id,
      kind,
      managed: true,
      ...(attributes ? { attributes } : {}),
    });
  }
}
