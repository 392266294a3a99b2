import * as $Ecs from '@alicloud/ecs20140526';
import PopCore from '@alicloud/pop-core';
import * as $Vpc from '@alicloud/vpc20160428';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlicloudProviderContext } from '../src/alicloud-settings.js';
import { Ecs } from '../src/ecs-client.js';
import { teaConfig } from '../src/tea-config.js';
import { type EcsFake, FAKE_ACCESS_KEY, startEcsFake } from '../src/testing/index.js';
import { Vpc } from '../src/vpc-client.js';

const REGION = 'eu-central-1';
let fake: EcsFake;
let vpc: InstanceType<typeof Vpc>;
let ecs: InstanceType<typeof Ecs>;

beforeEach(async () => {
  // Long enough that a describe right after a create still sees it Pending on a busy machine.
  fake = await startEcsFake({ pendingMs: 150 });
  const { options } = createAlicloudProviderContext({
    region: REGION,
    credentials: FAKE_ACCESS_KEY,
    endpoints: { ecs: fake.url, vpc: fake.url },
  }).clients;
  vpc = new Vpc(teaConfig(options, options.endpoints.vpc));
  ecs = new Ecs(teaConfig(options, options.endpoints.ecs));
});
afterEach(() => fake.close());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe('the VPC API of the fake through @alicloud/vpc20160428', () => {
  it('creates a VPC once per ClientToken, Pending then Available, and refuses the token with other parameters', async () => {
    const create = (cidrBlock: string) =>
      vpc.createVpc(
        new $Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock, vpcName: 'v', clientToken: 'token-1' }),
      );
    const first = (await create('10.0.0.0/16')).body!.vpcId;
    expect((await create('10.0.0.0/16')).body!.vpcId).toBe(first);
    expect(await failure(create('10.1.0.0/16'))).toMatchObject({
      code: 'IdempotentParameterMismatch',
      statusCode: 400,
    });
    const describe = async () =>
      (await vpc.describeVpcs(new $Vpc.DescribeVpcsRequest({ regionId: REGION, vpcId: first }))).body!.vpcs!
        .vpc!;
    expect((await describe()).map((item) => item.status)).toEqual(['Pending']);
    await settle();
    expect((await describe())[0]).toMatchObject({
      vpcId: first,
      cidrBlock: '10.0.0.0/16',
      status: 'Available',
    });
    expect(fake.network('vpc')).toHaveLength(1);
  });

  it('pages with PageNumber/PageSize, filters by tags, and refuses a page size above 50', async () => {
    for (let index = 0; index < 12; index++) {
      await vpc.createVpc(
        new $Vpc.CreateVpcRequest({
          regionId: REGION,
          cidrBlock: '10.0.0.0/16',
          tag: [new $Vpc.CreateVpcRequestTag({ key: 'team', value: index % 2 === 0 ? 'a' : 'b' })],
        }),
      );
    }
    const page = (pageNumber: number) =>
      vpc.describeVpcs(
        new $Vpc.DescribeVpcsRequest({
          regionId: REGION,
          pageNumber,
          pageSize: 5,
          tag: [new $Vpc.DescribeVpcsRequestTag({ key: 'team', value: 'a' })],
        }),
      );
    expect((await page(1)).body).toMatchObject({ totalCount: 6, pageNumber: 1, pageSize: 5 });
    expect((await page(2)).body!.vpcs!.vpc).toHaveLength(1);
    expect(
      await failure(vpc.describeVpcs(new $Vpc.DescribeVpcsRequest({ regionId: REGION, pageSize: 51 }))),
    ).toMatchObject({ code: 'InvalidPageSize' });
  });

  it('builds a NAT path and refuses deletes in the wrong order with DependencyViolation', async () => {
    const vpcId = (
      await vpc.createVpc(new $Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.0.0.0/16' }))
    ).body!.vpcId!;
    expect(
      await failure(
        vpc.createVSwitch(
          new $Vpc.CreateVSwitchRequest({
            regionId: REGION,
            vpcId,
            zoneId: `${REGION}a`,
            cidrBlock: '10.0.0.0/24',
          }),
        ),
      ),
    ).toMatchObject({ code: 'IncorrectVpcStatus' });
    await settle();
    const vSwitchId = (
      await vpc.createVSwitch(
        new $Vpc.CreateVSwitchRequest({
          regionId: REGION,
          vpcId,
          zoneId: `${REGION}a`,
          cidrBlock: '10.0.0.0/24',
        }),
      )
    ).body!.vSwitchId!;
    expect(
      await failure(
        vpc.createVSwitch(
          new $Vpc.CreateVSwitchRequest({
            regionId: REGION,
            vpcId,
            zoneId: `${REGION}b`,
            cidrBlock: '10.0.0.128/25',
          }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidCidrBlock.Overlapped' });
    await settle();
    const nat = (
      await vpc.createNatGateway(
        new $Vpc.CreateNatGatewayRequest({ regionId: REGION, vpcId, vSwitchId, natType: 'Enhanced' }),
      )
    ).body!;
    const allocationId = (
      await vpc.allocateEipAddress(new $Vpc.AllocateEipAddressRequest({ regionId: REGION }))
    ).body!.allocationId!;
    await settle();
    await vpc.associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: REGION,
        allocationId,
        instanceId: nat.natGatewayId!,
        instanceType: 'Nat',
      }),
    );
    await settle();
    const [eip] = (
      await vpc.describeEipAddresses(new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId }))
    ).body!.eipAddresses!.eipAddress!;
    expect(eip).toMatchObject({ status: 'InUse', instanceId: nat.natGatewayId, instanceType: 'Nat' });
    const snatTableId = nat.snatTableIds!.snatTableId![0]!;
    await vpc.createSnatEntry(
      new $Vpc.CreateSnatEntryRequest({
        regionId: REGION,
        snatTableId,
        sourceVSwitchId: vSwitchId,
        snatIp: eip!.ipAddress,
      }),
    );
    expect(
      await failure(
        vpc.unassociateEipAddress(new $Vpc.UnassociateEipAddressRequest({ regionId: REGION, allocationId })),
      ),
    ).toMatchObject({ code: 'DependencyViolation.SnatEntry' });
    expect(
      await failure(vpc.deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ regionId: REGION, vSwitchId }))),
    ).toMatchObject({
      code: 'DependencyViolation.NatGateway',
    });
    expect(
      await failure(vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ regionId: REGION, vpcId }))),
    ).toMatchObject({
      code: 'DependencyViolation.VSwitch',
    });
    // Force takes the SNAT entries and the EIP bindings with the gateway.
    await vpc.deleteNatGateway(
      new $Vpc.DeleteNatGatewayRequest({ regionId: REGION, natGatewayId: nat.natGatewayId!, force: true }),
    );
    await settle();
    expect(fake.network('nat-gateway')).toEqual([]);
    expect(fake.network('snat-entry')).toEqual([]);
    expect(fake.network('eip')[0]!.status).toBe('Available');
  });

  it('keeps security group rules, refusing a duplicate, through @alicloud/ecs20140526', async () => {
    const vpcId = (
      await vpc.createVpc(new $Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.0.0.0/16' }))
    ).body!.vpcId!;
    const securityGroupId = (
      await ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({ regionId: REGION, vpcId, securityGroupName: 'sg' }),
      )
    ).body!.securityGroupId!;
    const authorize = () =>
      ecs.authorizeSecurityGroup(
        new $Ecs.AuthorizeSecurityGroupRequest({
          regionId: REGION,
          securityGroupId,
          permissions: [
            new $Ecs.AuthorizeSecurityGroupRequestPermissions({
              ipProtocol: 'TCP',
              portRange: '22/22',
              sourceCidrIp: '10.0.0.0/8',
            }),
            new $Ecs.AuthorizeSecurityGroupRequestPermissions({
              ipProtocol: 'UDP',
              portRange: '1/65535',
              sourceCidrIp: '10.0.0.0/8',
            }),
          ],
        }),
      );
    await authorize();
    expect(await failure(authorize())).toMatchObject({ code: 'InvalidPermission.Duplicate' });
    const { body } = await ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({
        regionId: REGION,
        securityGroupId,
        direction: 'ingress',
      }),
    );
    expect(body!.permissions!.permission!.map((rule) => `${rule.ipProtocol} ${rule.portRange}`)).toEqual([
      'TCP 22/22',
      'UDP 1/65535',
    ]);
    await settle();
    expect(
      await failure(vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ regionId: REGION, vpcId }))),
    ).toMatchObject({
      code: 'DependencyViolation.SecurityGroup',
    });
  });

  it('answers the VPC API in RPC v1 too (@alicloud/pop-core, HMAC-SHA1)', async () => {
    const pop = new PopCore({ ...FAKE_ACCESS_KEY, endpoint: fake.url, apiVersion: '2016-04-28' });
    const made = (await pop.request(
      'CreateVpc',
      { RegionId: REGION, CidrBlock: '192.168.0.0/16', VpcName: 'pop' },
      { method: 'POST' },
    )) as {
      VpcId: string;
    };
    const described = (await pop.request(
      'DescribeVpcs',
      { RegionId: REGION, VpcId: made.VpcId },
      { method: 'GET' },
    )) as {
      Vpcs: { Vpc: Array<{ VpcName: string; CidrBlock: string }> };
    };
    expect(described.Vpcs.Vpc).toEqual([
      expect.objectContaining({ VpcName: 'pop', CidrBlock: '192.168.0.0/16' }),
    ]);
    await settle();
    await pop.request('DeleteVpc', { RegionId: REGION, VpcId: made.VpcId }, { method: 'POST' });
    expect(fake.network('vpc')).toEqual([]);
  });
});
