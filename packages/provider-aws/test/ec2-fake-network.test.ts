import {
  AllocateAddressCommand,
  AssociateDhcpOptionsCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateDhcpOptionsCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcEndpointCommand,
  DeleteDhcpOptionsCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcEndpointsCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeDhcpOptionsCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifyVpcAttributeCommand,
  ReleaseAddressCommand,
  ReplaceRouteTableAssociationCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilNatGatewayAvailable,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createOwnedVpc, ownedTags, rejectionOf, useEc2Fake } from './ec2-fake-clients.js';

const cloud = useEc2Fake({
  delays: { pendingMs: 10, shuttingDownMs: 10, natGatewayPendingMs: 30, natGatewayDeletingMs: 30 },
});

describe('EC2 fake: network through @aws-sdk/client-ec2', () => {
  it('creates a VPC with its main route table and default security group, and filters by tag', async () => {
    const vpcId = await createOwnedVpc(cloud.ec2, 'net-a');
    const described = await cloud.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:kubernetes.io/cluster/net-a', Values: ['owned'] }] }),
    );
    expect(described.Vpcs?.map((vpc) => vpc.VpcId)).toEqual([vpcId]);
    expect(described.Vpcs?.[0]).toMatchObject({ CidrBlock: '10.0.0.0/16', State: 'available' });

    const tables = await cloud.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(tables.RouteTables?.[0]?.Associations?.[0]?.Main).toBe(true);
    expect(tables.RouteTables?.[0]?.Routes?.[0]).toMatchObject({
      DestinationCidrBlock: '10.0.0.0/16',
      GatewayId: 'local',
    });
    const groups = await cloud.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    );
    expect(groups.SecurityGroups).toHaveLength(1);

    await cloud.ec2.send(
      new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }),
    );
    const attribute = await cloud.ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }),
    );
    expect(attribute.EnableDnsHostnames?.Value).toBe(true);

    const options = await cloud.ec2.send(
      new CreateDhcpOptionsCommand({
        DhcpConfigurations: [
          { Key: 'domain-name', Values: ['eu-west-1.compute.internal'] },
          { Key: 'domain-name-servers', Values: ['AmazonProvidedDNS'] },
        ],
      }),
    );
    const optionsId = options.DhcpOptions!.DhcpOptionsId!;
    await cloud.ec2.send(new AssociateDhcpOptionsCommand({ VpcId: vpcId, DhcpOptionsId: optionsId }));
    const describedOptions = await cloud.ec2.send(
      new DescribeDhcpOptionsCommand({ DhcpOptionsIds: [optionsId] }),
    );
    expect(describedOptions.DhcpOptions?.[0]?.DhcpConfigurations?.[0]?.Values?.[0]?.Value).toBe(
      'eu-west-1.compute.internal',
    );
    expect(
      (await rejectionOf(cloud.ec2.send(new DeleteDhcpOptionsCommand({ DhcpOptionsId: optionsId })))).name,
    ).toBe('DependencyViolation');

    await cloud.ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    await cloud.ec2.send(new DeleteDhcpOptionsCommand({ DhcpOptionsId: optionsId }));
    expect((await rejectionOf(cloud.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).name).toBe(
      'InvalidVpcID.NotFound',
    );
  });

  it('checks subnet ranges and conflicts, and blocks deletes with dependencies', async () => {
    const vpcId = await createOwnedVpc(cloud.ec2, 'net-b', '10.1.0.0/16');
    const { Subnet } = await cloud.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.1.0.0/20',
        AvailabilityZone: 'eu-west-1b',
        TagSpecifications: ownedTags('subnet', 'net-b'),
      }),
    );
    expect(Subnet).toMatchObject({
      AvailabilityZone: 'eu-west-1b',
      AvailableIpAddressCount: 4091,
      VpcId: vpcId,
    });
    const outside = await rejectionOf(
      cloud.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.0.0/24' })),
    );
    expect(outside.name).toBe('InvalidSubnet.Range');
    const overlap = await rejectionOf(
      cloud.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24' })),
    );
    expect(overlap.name).toBe('InvalidSubnet.Conflict');
    const badZone = await rejectionOf(
      cloud.ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.16.0/24', AvailabilityZone: 'us-east-1a' }),
      ),
    );
    expect(badZone.name).toBe('InvalidParameterValue');

    const { InternetGateway } = await cloud.ec2.send(new CreateInternetGatewayCommand({}));
    const igwId = InternetGateway!.InternetGatewayId!;
    await cloud.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const gateways = await cloud.ec2.send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
    );
    expect(gateways.InternetGateways?.[0]?.Attachments).toEqual([{ VpcId: vpcId, State: 'available' }]);
    expect(
      (await rejectionOf(cloud.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }))))
        .name,
    ).toBe('DependencyViolation');
    expect((await rejectionOf(cloud.ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).name).toBe(
      'DependencyViolation',
    );

    const run = await cloud.ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: Subnet!.SubnetId,
      }),
    );
    const instance = run.Instances![0]!;
    expect(instance.PrivateIpAddress).toBe('10.1.0.4');
    expect(instance.VpcId).toBe(vpcId);
    expect(
      (await rejectionOf(cloud.ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId })))).name,
    ).toBe('DependencyViolation');
    await cloud.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    await new Promise((resolve) => setTimeout(resolve, 50));

    await cloud.ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId }));
    await cloud.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await cloud.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    await cloud.ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    expect(
      cloud.fake.state.resources().filter((id) => [vpcId, igwId, Subnet!.SubnetId].includes(id)),
    ).toEqual([]);
  });

  it('runs elastic IPs, NAT gateways, route tables and routes through their lifecycles', async () => {
    const vpcId = await createOwnedVpc(cloud.ec2, 'net-c', '10.2.0.0/16');
    const subnetId = (
      await cloud.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.0.0/24' }))
    ).Subnet!.SubnetId!;
    const { InternetGateway } = await cloud.ec2.send(new CreateInternetGatewayCommand({}));
    const igwId = InternetGateway!.InternetGatewayId!;
    await cloud.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    const address = await cloud.ec2.send(
      new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: ownedTags('elastic-ip', 'net-c') }),
    );
    const nat = await cloud.ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: subnetId,
        AllocationId: address.AllocationId,
        TagSpecifications: ownedTags('natgateway', 'net-c'),
      }),
    );
    const natId = nat.NatGateway!.NatGatewayId!;
    expect(nat.NatGateway?.State).toBe('pending');
    const waited = await waitUntilNatGatewayAvailable(
      { client: cloud.ec2, maxWaitTime: 10, minDelay: 1 },
      { NatGatewayIds: [natId] },
    );
    expect(waited.state).toBe('SUCCESS');
    const addresses = await cloud.ec2.send(
      new DescribeAddressesCommand({ AllocationIds: [address.AllocationId!] }),
    );
    expect(addresses.Addresses?.[0]?.NetworkInterfaceId).toMatch(/^eni-/);
    expect(
      (await rejectionOf(cloud.ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId }))))
        .name,
    ).toBe('InvalidIPAddress.InUse');

    const { RouteTable } = await cloud.ec2.send(
      new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: ownedTags('route-table', 'net-c') }),
    );
    const tableId = RouteTable!.RouteTableId!;
    await cloud.ec2.send(
      new CreateRouteCommand({
        RouteTableId: tableId,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natId,
      }),
    );
    const duplicate = await rejectionOf(
      cloud.ec2.send(
        new CreateRouteCommand({
          RouteTableId: tableId,
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: igwId,
        }),
      ),
    );
    expect(duplicate.name).toBe('RouteAlreadyExists');
    const { AssociationId } = await cloud.ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: tableId, SubnetId: subnetId }),
    );
    const described = await cloud.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
    );
    expect(
      described.RouteTables?.[0]?.Routes?.find((route) => route.DestinationCidrBlock === '0.0.0.0/0'),
    ).toMatchObject({
      NatGatewayId: natId,
      State: 'active',
    });
    expect(
      (await rejectionOf(cloud.ec2.send(new DeleteRouteTableCommand({ RouteTableId: tableId })))).name,
    ).toBe('DependencyViolation');
    expect((await rejectionOf(cloud.ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })))).name).toBe(
      'DependencyViolation',
    );

    const endpoint = await cloud.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: 'com.amazonaws.eu-west-1.s3',
        RouteTableIds: [tableId],
        TagSpecifications: ownedTags('vpc-endpoint', 'net-c'),
      }),
    );
    const endpointId = endpoint.VpcEndpoint!.VpcEndpointId!;
    const endpoints = await cloud.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(endpoints.VpcEndpoints?.[0]).toMatchObject({
      VpcEndpointId: endpointId,
      State: 'available',
      RouteTableIds: [tableId],
    });
    const deleted = await cloud.ec2.send(
      new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpointId, 'vpce-0000000000000000a'] }),
    );
    expect(deleted.Unsuccessful?.map((item) => item.ResourceId)).toEqual(['vpce-0000000000000000a']);

    // Making a table the main one moves the VPC's main association.
    const main = (
      await cloud.ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'association.main', Values: ['true'] },
          ],
        }),
      )
    ).RouteTables![0]!;
    const mainAssociation = main.Associations!.find((association) => association.Main)!
      .RouteTableAssociationId!;
    const replaced = await cloud.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: mainAssociation, RouteTableId: tableId }),
    );
    expect(replaced.NewAssociationId).toMatch(/^rtbassoc-/);
    await cloud.ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: replaced.NewAssociationId,
        RouteTableId: main.RouteTableId,
      }),
    );

    await cloud.ec2.send(new DisassociateRouteTableCommand({ AssociationId }));
    await cloud.ec2.send(
      new DeleteRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: '0.0.0.0/0' }),
    );
    await cloud.ec2.send(new DeleteRouteTableCommand({ RouteTableId: tableId }));
    cloud.fake.setInstanceTransitionDelays({ natGatewayDeletingMs: 3_600_000 });
    await cloud.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    const deleting = await cloud.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
    expect(deleting.NatGateways?.[0]?.State).toBe('deleting');
    cloud.fake.setInstanceTransitionDelays({ natGatewayDeletingMs: 0 });
    const gone = await cloud.ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(gone.NatGateways?.[0]?.State).toBe('deleted');
    await cloud.ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId }));
    await cloud.ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    await cloud.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await cloud.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    await cloud.ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });

  it('lists the availability zones of the request region', async () => {
    const zones = await cloud.ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(zones.AvailabilityZones?.map((zone) => zone.ZoneName)).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
    expect(zones.AvailabilityZones?.[0]).toMatchObject({ State: 'available', RegionName: 'eu-west-1' });
  });
});
