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
  CreateVpcCommand,
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
  type EC2Client,
  ModifyVpcAttributeCommand,
  ReleaseAddressCommand,
  ReplaceRouteTableAssociationCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilNatGatewayAvailable,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';
import { ec2ClientFor, rejectionOf } from './ec2-fake-clients.js';

let fake: Ec2Fake;
let ec2: EC2Client;

beforeAll(async () => {
  fake = await startEc2Fake({
    delays: { pendingMs: 10, shuttingDownMs: 10, natGatewayPendingMs: 30, natGatewayDeletingMs: 30 },
  });
  ec2 = ec2ClientFor(fake);
});
afterAll(async () => {
  ec2?.destroy();
  await fake?.close();
});

const owned = (resourceType: string, cluster: string) => [
  {
    ResourceType: resourceType as 'vpc',
    Tags: [{ Key: `kubernetes.io/cluster/${cluster}`, Value: 'owned' }],
  },
];

async function createVpc(cluster: string, cidr = '10.0.0.0/16') {
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: owned('vpc', cluster) }),
  );
  return Vpc!.VpcId!;
}

describe('EC2 fake: network through @aws-sdk/client-ec2', () => {
  it('creates a VPC with its main route table and default security group, and filters by tag', async () => {
    const vpcId = await createVpc('net-a');
    const described = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:kubernetes.io/cluster/net-a', Values: ['owned'] }] }),
    );
    expect(described.Vpcs?.map((vpc) => vpc.VpcId)).toEqual([vpcId]);
    expect(described.Vpcs?.[0]).toMatchObject({ CidrBlock: '10.0.0.0/16', State: 'available' });

    const tables = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(tables.RouteTables?.[0]?.Associations?.[0]?.Main).toBe(true);
    expect(tables.RouteTables?.[0]?.Routes?.[0]).toMatchObject({
      DestinationCidrBlock: '10.0.0.0/16',
      GatewayId: 'local',
    });
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    );
    expect(groups.SecurityGroups).toHaveLength(1);

    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const attribute = await ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }),
    );
    expect(attribute.EnableDnsHostnames?.Value).toBe(true);

    const options = await ec2.send(
      new CreateDhcpOptionsCommand({
        DhcpConfigurations: [
          { Key: 'domain-name', Values: ['eu-west-1.compute.internal'] },
          { Key: 'domain-name-servers', Values: ['AmazonProvidedDNS'] },
        ],
      }),
    );
    const optionsId = options.DhcpOptions!.DhcpOptionsId!;
    await ec2.send(new AssociateDhcpOptionsCommand({ VpcId: vpcId, DhcpOptionsId: optionsId }));
    const describedOptions = await ec2.send(new DescribeDhcpOptionsCommand({ DhcpOptionsIds: [optionsId] }));
    expect(describedOptions.DhcpOptions?.[0]?.DhcpConfigurations?.[0]?.Values?.[0]?.Value).toBe(
      'eu-west-1.compute.internal',
    );
    expect(
      (await rejectionOf(ec2.send(new DeleteDhcpOptionsCommand({ DhcpOptionsId: optionsId })))).name,
    ).toBe('DependencyViolation');

    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    await ec2.send(new DeleteDhcpOptionsCommand({ DhcpOptionsId: optionsId }));
    expect((await rejectionOf(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).name).toBe(
      'InvalidVpcID.NotFound',
    );
  });

  it('checks subnet ranges and conflicts, and blocks deletes with dependencies', async () => {
    const vpcId = await createVpc('net-b', '10.1.0.0/16');
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.1.0.0/20',
        AvailabilityZone: 'eu-west-1b',
        TagSpecifications: owned('subnet', 'net-b'),
      }),
    );
    expect(Subnet).toMatchObject({
      AvailabilityZone: 'eu-west-1b',
      AvailableIpAddressCount: 4091,
      VpcId: vpcId,
    });
    const outside = await rejectionOf(
      ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.0.0/24' })),
    );
    expect(outside.name).toBe('InvalidSubnet.Range');
    const overlap = await rejectionOf(
      ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24' })),
    );
    expect(overlap.name).toBe('InvalidSubnet.Conflict');
    const badZone = await rejectionOf(
      ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.16.0/24', AvailabilityZone: 'us-east-1a' }),
      ),
    );
    expect(badZone.name).toBe('InvalidParameterValue');

    const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({}));
    const igwId = InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const gateways = await ec2.send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
    );
    expect(gateways.InternetGateways?.[0]?.Attachments).toEqual([{ VpcId: vpcId, State: 'available' }]);
    expect(
      (await rejectionOf(ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })))).name,
    ).toBe('DependencyViolation');
    expect((await rejectionOf(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).name).toBe(
      'DependencyViolation',
    );

    const run = await ec2.send(
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
    expect((await rejectionOf(ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId })))).name).toBe(
      'DependencyViolation',
    );
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    await new Promise((resolve) => setTimeout(resolve, 50));

    await ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId }));
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    expect(fake.state.resources().filter((id) => [vpcId, igwId, Subnet!.SubnetId].includes(id))).toEqual([]);
  });

  it('runs elastic IPs, NAT gateways, route tables and routes through their lifecycles', async () => {
    const vpcId = await createVpc('net-c', '10.2.0.0/16');
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.0.0/24' })))
      .Subnet!.SubnetId!;
    const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({}));
    const igwId = InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

    const address = await ec2.send(
      new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: owned('elastic-ip', 'net-c') }),
    );
    const nat = await ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: subnetId,
        AllocationId: address.AllocationId,
        TagSpecifications: owned('natgateway', 'net-c'),
      }),
    );
    const natId = nat.NatGateway!.NatGatewayId!;
    expect(nat.NatGateway?.State).toBe('pending');
    const waited = await waitUntilNatGatewayAvailable(
      { client: ec2, maxWaitTime: 10, minDelay: 1 },
      { NatGatewayIds: [natId] },
    );
    expect(waited.state).toBe('SUCCESS');
    const addresses = await ec2.send(
      new DescribeAddressesCommand({ AllocationIds: [address.AllocationId!] }),
    );
    expect(addresses.Addresses?.[0]?.NetworkInterfaceId).toMatch(/^eni-/);
    expect(
      (await rejectionOf(ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId })))).name,
    ).toBe('InvalidIPAddress.InUse');

    const { RouteTable } = await ec2.send(
      new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: owned('route-table', 'net-c') }),
    );
    const tableId = RouteTable!.RouteTableId!;
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: tableId,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natId,
      }),
    );
    const duplicate = await rejectionOf(
      ec2.send(
        new CreateRouteCommand({
          RouteTableId: tableId,
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: igwId,
        }),
      ),
    );
    expect(duplicate.name).toBe('RouteAlreadyExists');
    const { AssociationId } = await ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: tableId, SubnetId: subnetId }),
    );
    const described = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
    );
    expect(
      described.RouteTables?.[0]?.Routes?.find((route) => route.DestinationCidrBlock === '0.0.0.0/0'),
    ).toMatchObject({
      NatGatewayId: natId,
      State: 'active',
    });
    expect((await rejectionOf(ec2.send(new DeleteRouteTableCommand({ RouteTableId: tableId })))).name).toBe(
      'DependencyViolation',
    );
    expect((await rejectionOf(ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })))).name).toBe(
      'DependencyViolation',
    );

    const endpoint = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: 'com.amazonaws.eu-west-1.s3',
        RouteTableIds: [tableId],
        TagSpecifications: owned('vpc-endpoint', 'net-c'),
      }),
    );
    const endpointId = endpoint.VpcEndpoint!.VpcEndpointId!;
    const endpoints = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(endpoints.VpcEndpoints?.[0]).toMatchObject({
      VpcEndpointId: endpointId,
      State: 'available',
      RouteTableIds: [tableId],
    });
    const deleted = await ec2.send(
      new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpointId, 'vpce-0000000000000000a'] }),
    );
    expect(deleted.Unsuccessful?.map((item) => item.ResourceId)).toEqual(['vpce-0000000000000000a']);

    // Making a table the main one moves the VPC's main association.
    const main = (
      await ec2.send(
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
    const replaced = await ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: mainAssociation, RouteTableId: tableId }),
    );
    expect(replaced.NewAssociationId).toMatch(/^rtbassoc-/);
    await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: replaced.NewAssociationId,
        RouteTableId: main.RouteTableId,
      }),
    );

    await ec2.send(new DisassociateRouteTableCommand({ AssociationId }));
    await ec2.send(new DeleteRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: '0.0.0.0/0' }));
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: tableId }));
    fake.setInstanceTransitionDelays({ natGatewayDeletingMs: 3_600_000 });
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    const deleting = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
    expect(deleting.NatGateways?.[0]?.State).toBe('deleting');
    fake.setInstanceTransitionDelays({ natGatewayDeletingMs: 0 });
    const gone = await ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(gone.NatGateways?.[0]?.State).toBe('deleted');
    await ec2.send(new ReleaseAddressCommand({ AllocationId: address.AllocationId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });

  it('lists the availability zones of the request region', async () => {
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(zones.AvailabilityZones?.map((zone) => zone.ZoneName)).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
    expect(zones.AvailabilityZones?.[0]).toMatchObject({ State: 'available', RegionName: 'eu-west-1' });
  });
});
