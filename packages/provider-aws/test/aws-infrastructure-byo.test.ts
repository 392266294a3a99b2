import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from '@aws-sdk/client-ec2';
import { TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsInfrastructureConfig } from '../src/aws-infrastructure-config.js';
import {
  type InfrastructureHarness,
  REGION,
  startInfrastructureHarness,
} from './aws-infrastructure-harness.js';

describe('AWS infrastructure with a bring-your-own VPC (against the fake)', () => {
  let harness: InfrastructureHarness;
  let vpcId: string;
  let gatewayId: string;
  const subnetIds: string[] = [];

  beforeAll(async () => {
    harness = await startInfrastructureHarness();
    const { ec2 } = harness;
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
    gatewayId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }));
    for (const [index, cidr] of [
      '10.50.0.0/20',
      '10.50.16.0/20',
      '10.50.32.0/20',
      '10.50.48.0/20',
    ].entries()) {
      const zone = index < 2 ? `${REGION}a` : `${REGION}b`;
      const subnet = await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }),
      );
      subnetIds.push(subnet.Subnet!.SubnetId!);
    }
  });
  afterAll(() => harness?.close());

  it('uses the existing VPC and subnets and leaves them untouched on delete', async () => {
    const config: AwsInfrastructureConfig = {
      networks: {
        vpc: { id: vpcId },
        zones: [
          { name: `${REGION}a`, subnetIds: { workers: subnetIds[0]!, public: subnetIds[1]! } },
          { name: `${REGION}b`, subnetIds: { workers: subnetIds[2]!, public: subnetIds[3]! } },
        ],
      },
    };
    const cluster = 'byo-subnets';
    const baseline = await harness.inventory();
    const { status, state } = await harness.provider.reconcile({ cluster, region: REGION, config });
    expect(status.networkId).toBe(vpcId);
    expect(status.subnets).toEqual([
      { zone: `${REGION}a`, nodes: subnetIds[0], public: subnetIds[1] },
      { zone: `${REGION}b`, nodes: subnetIds[2], public: subnetIds[3] },
    ]);
    expect(status.egressAddresses).toEqual([]);
    const group = harness.fake.state
      .securityGroups()
      .find((candidate) => candidate.groupId === status.securityGroupIds[0]);
    expect(group?.vpcId).toBe(vpcId);
    for (const id of [vpcId, gatewayId, ...subnetIds]) {
      const recorded = Object.values(state.resources).find((resource) => resource.id === id);
      expect(recorded?.managed, id).toBe(false);
    }
    const tagsBefore = [vpcId, ...subnetIds].map((id) => harness.fake.state.tagsOf(id));

    await harness.provider.delete({ cluster, region: REGION, config, state });
    expect((await harness.inventory()).sort()).toEqual([...baseline].sort());
    expect([vpcId, ...subnetIds].map((id) => harness.fake.state.tagsOf(id))).toEqual(tagsBefore);
    const gateway = harness.fake.state
      .internetGateways()
      .find((candidate) => candidate.internetGatewayId === gatewayId);
    expect(gateway?.attachedVpcId).toBe(vpcId);
  });

  it('creates managed subnets, NAT gateways and route tables inside an existing VPC and removes only those', async () => {
    const config: AwsInfrastructureConfig = {
      networks: {
        vpc: { id: vpcId },
        zones: [
          {
            name: `${REGION}a`,
            workers: '10.50.128.0/19',
            public: '10.50.160.0/20',
            internal: '10.50.176.0/20',
          },
        ],
      },
    };
    const cluster = 'byo-vpc';
    const baseline = await harness.inventory();
    const { status, state } = await harness.provider.reconcile({ cluster, region: REGION, config });
    expect(status.internetGatewayId).toBe(gatewayId);
    expect(status.zones[0]?.natGatewayId).toMatch(/^nat-/);
    const publicTable = harness.fake.state
      .routeTables()
      .find((table) => table.routeTableId === status.publicRouteTableId);
    expect(publicTable?.routes).toContainEqual(
      expect.objectContaining({ destinationCidrBlock: '0.0.0.0/0', gatewayId }),
    );

    await harness.provider.delete({ cluster, region: REGION, config, state });
    expect((await harness.inventory()).sort()).toEqual([...baseline].sort());
    expect(
      harness.fake.state.internetGateways().find((gateway) => gateway.internetGatewayId === gatewayId)
        ?.attachedVpcId,
    ).toBe(vpcId);
  });

  it('rejects a VPC that does not exist with InvalidArgument naming networks.vpc.id', async () => {
    const config: AwsInfrastructureConfig = {
      networks: {
        vpc: { id: 'vpc-0doesnotexist' },
        zones: [{ name: `${REGION}a`, subnetIds: { workers: subnetIds[0]! } }],
      },
    };
    const error = await harness.provider
      .reconcile({ cluster: 'byo-missing', region: REGION, config })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect((error as TrellisError).issues.map((issue) => issue.path)).toContain('networks.vpc.id');
  });
});
