import { randomBytes } from 'node:crypto';
import { cidrContains, cidrOverlaps, isCanonicalCidr } from '@trellis/core';
import {
  type FakeActionHandler,
  type FakeNetworkHooks,
  type FakeNetworkResource,
  type FakeResourceTable,
  fakeId,
  keyValueTags,
  numberedPage,
  refuse,
  required,
  tagKeyValueTags,
} from './fake-resource-table.js';

const cidrOf = (params: Readonly<Record<string, string>>, field: string, fallback?: string): string => {
  const value = params[field] ?? fallback ?? required(params, field);
  if (!isCanonicalCidr(value))
    refuse('InvalidCidrBlock.Malformed', 400, `The specified ${field} "${value}" is not valid.`);
  return value;
};

function available(resource: FakeNetworkResource, code: string): void {
  if (resource.status !== 'Available')
    refuse(code, 400, `The status of ${resource.id} (${resource.status}) does not support this operation.`);
}

/**
 * The VPC API of the fake (`2016-04-28`): VPCs, vSwitches, Enhanced NAT gateways, EIPs and SNAT
 * entries, with the documented wrapper objects, `PageNumber`/`PageSize` pages, tag filters,
 * `Pending → Available` (NAT: `Creating → Available`; EIP: `Associating → InUse`, `Unassociating →
 * Available`; deletes of NAT gateways and SNAT entries: `Deleting → gone`) and the dependency
 * checks that make a delete in the wrong order fail with `DependencyViolation.*`. The exact
 * dependency and duplicate codes are modelled, not taken from a recorded answer.
 */
export function vpcHandlers(
  table: FakeResourceTable,
  hooks: FakeNetworkHooks,
): Record<string, FakeActionHandler> {
  const vpcOf = (id: string | undefined) => table.get('vpc', id, 'InvalidVpcId.NotFound');
  const natOf = (id: string | undefined) => table.get('nat-gateway', id, 'InvalidNatGatewayId.NotFound');
  const eipOf = (id: string | undefined) => table.get('eip', id, 'InvalidAllocationId.NotFound');
  const natOfTable = (snatTableId: string | undefined) => {
    const nat = table.list('nat-gateway').find((candidate) => candidate.fields.SnatTableId === snatTableId);
    if (!nat)
      refuse('InvalidSnatTableId.NotFound', 404, `The SNAT table ${snatTableId ?? ''} does not exist.`);
    return nat;
  };
  const eipsOf = (natId: string) => table.list('eip').filter((eip) => eip.fields.InstanceId === natId);
  const snatEntriesOf = (snatTableId: string) =>
    table.list('snat-entry').filter((entry) => entry.fields.SnatTableId === snatTableId);

  const describeVpc = (vpc: FakeNetworkResource) => ({
    VpcId: vpc.id,
    VpcName: vpc.name,
    RegionId: vpc.regionId,
    CidrBlock: vpc.fields.CidrBlock,
    Status: vpc.status,
    CreationTime: vpc.creationTime,
    VRouterId: vpc.fields.VRouterId,
    IsDefault: false,
    Tags: keyValueTags(vpc.tags),
    VSwitchIds: {
      VSwitchId: table
        .filter('vswitch', { RegionId: vpc.regionId }, { fields: { VpcId: vpc.id } })
        .map((vsw) => vsw.id),
    },
    NatGatewayIds: {
      NatGatewayIds: table
        .filter('nat-gateway', { RegionId: vpc.regionId }, { fields: { VpcId: vpc.id } })
        .map((nat) => nat.id),
    },
  });
  const describeVSwitch = (vsw: FakeNetworkResource) => ({
    VSwitchId: vsw.id,
    VSwitchName: vsw.name,
    VpcId: vsw.fields.VpcId,
    ZoneId: vsw.fields.ZoneId,
    CidrBlock: vsw.fields.CidrBlock,
    Status: vsw.status,
    CreationTime: vsw.creationTime,
    AvailableIpAddressCount: 250,
    Tags: keyValueTags(vsw.tags),
  });
  const describeNat = (nat: FakeNetworkResource) => ({
    NatGatewayId: nat.id,
    Name: nat.name,
    VpcId: nat.fields.VpcId,
    RegionId: nat.regionId,
    NatType: nat.fields.NatType,
    NetworkType: 'internet',
    Status: nat.status,
    CreationTime: nat.creationTime,
    SnatTableIds: { SnatTableId: [nat.fields.SnatTableId] },
    ForwardTableIds: { ForwardTableId: [nat.fields.ForwardTableId] },
    NatGatewayPrivateInfo: { VswitchId: nat.fields.VSwitchId, IzNo: nat.fields.ZoneId },
    IpLists: {
      IpList: eipsOf(nat.id).map((eip) => ({
        AllocationId: eip.id,
        IpAddress: eip.fields.IpAddress,
        UsingStatus: snatEntriesOf(nat.fields.SnatTableId!).some(
          (entry) => entry.fields.SnatIp === eip.fields.IpAddress,
        )
          ? 'UsedBySnatTable'
          : 'Idle',
      })),
    },
    Tags: tagKeyValueTags(nat.tags),
  });
  const describeEip = (eip: FakeNetworkResource) => ({
    AllocationId: eip.id,
    IpAddress: eip.fields.IpAddress,
    Name: eip.name,
    RegionId: eip.regionId,
    Status: eip.status,
    Bandwidth: eip.fields.Bandwidth,
    InternetChargeType: eip.fields.InternetChargeType,
    ChargeType: eip.fields.InstanceChargeType,
    AllocationTime: eip.creationTime,
    InstanceId: eip.fields.InstanceId ?? '',
    InstanceType: eip.fields.InstanceType ?? '',
    Tags: keyValueTags(eip.tags),
  });
  const describeSnat = (entry: FakeNetworkResource) => ({
    SnatEntryId: entry.id,
    SnatEntryName: entry.name,
    SnatTableId: entry.fields.SnatTableId,
    SnatIp: entry.fields.SnatIp,
    SourceVSwitchId: entry.fields.SourceVSwitchId,
    SourceCIDR: entry.fields.SourceCIDR,
    NatGatewayId: entry.fields.NatGatewayId,
    Status: entry.status,
  });

  return {
    CreateVpc({ params }) {
      required(params, 'RegionId');
      const cidr = cidrOf(params, 'CidrBlock', '172.16.0.0/12');
      const vpc = table.create(
        'vpc',
        params,
        params.VpcName ?? '',
        { CidrBlock: cidr, VRouterId: fakeId('vrt'), RouteTableId: fakeId('vtb') },
        { from: 'Pending', to: 'Available' },
      );
      return {
        VpcId: vpc.id,
        VRouterId: vpc.fields.VRouterId,
        RouteTableId: vpc.fields.RouteTableId,
        ResourceGroupId: 'rg-default',
      };
    },
    DescribeVpcs({ params }) {
      required(params, 'RegionId');
      const found = table.filter('vpc', params, { ids: params.VpcId, fields: { Name: params.VpcName } });
      const { items, ...page } = numberedPage(found, params);
      return { ...page, Vpcs: { Vpc: items.map(describeVpc) } };
    },
    DeleteVpc({ params }) {
      const vpc = vpcOf(params.VpcId);
      available(vpc, 'IncorrectVpcStatus');
      const inside = (kind: 'vswitch' | 'nat-gateway' | 'security-group') =>
        table.list(kind).some((resource) => resource.fields.VpcId === vpc.id);
      if (inside('vswitch'))
        refuse('DependencyViolation.VSwitch', 400, `The VPC ${vpc.id} still has vSwitches.`);
      if (inside('nat-gateway'))
        refuse('DependencyViolation.NatGateway', 400, `The VPC ${vpc.id} still has NAT gateways.`);
      if (inside('security-group'))
        refuse('DependencyViolation.SecurityGroup', 400, `The VPC ${vpc.id} still has security groups.`);
      table.remove(vpc.id);
      return {};
    },

    CreateVSwitch({ params }) {
      const vpc = vpcOf(required(params, 'VpcId'));
      available(vpc, 'IncorrectVpcStatus');
      const zone = required(params, 'ZoneId');
      const cidr = cidrOf(params, 'CidrBlock');
      if (!cidrContains(vpc.fields.CidrBlock!, cidr))
        refuse(
          'InvalidCidrBlock.Mismatch',
          400,
          `The vSwitch CIDR ${cidr} is not within the VPC's ${vpc.fields.CidrBlock}.`,
        );
      const clash = table
        .list('vswitch')
        .find((vsw) => vsw.fields.VpcId === vpc.id && cidrOverlaps(vsw.fields.CidrBlock!, cidr));
      if (clash) refuse('InvalidCidrBlock.Overlapped', 400, `The CIDR ${cidr} overlaps vSwitch ${clash.id}.`);
      const vsw = table.create(
        'vswitch',
        params,
        params.VSwitchName ?? '',
        { VpcId: vpc.id, ZoneId: zone, CidrBlock: cidr },
        { from: 'Pending', to: 'Available' },
      );
      return { VSwitchId: vsw.id };
    },
    DescribeVSwitches({ params }) {
      const found = table.filter('vswitch', params, {
        ids: params.VSwitchId,
        fields: { VpcId: params.VpcId, ZoneId: params.ZoneId, Name: params.VSwitchName },
      });
      const { items, ...page } = numberedPage(found, params);
      return { ...page, VSwitches: { VSwitch: items.map(describeVSwitch) } };
    },
    DeleteVSwitch({ params }) {
      const vsw = table.get('vswitch', params.VSwitchId, 'InvalidVSwitchId.NotFound');
      if (hooks.instancesUsing('VSwitchId', vsw.id) > 0)
        refuse('DependencyViolation.Instance', 400, `The vSwitch ${vsw.id} still has instances.`);
      if (table.list('nat-gateway').some((nat) => nat.fields.VSwitchId === vsw.id))
        refuse('DependencyViolation.NatGateway', 400, `The vSwitch ${vsw.id} still holds a NAT gateway.`);
      if (table.list('snat-entry').some((entry) => entry.fields.SourceVSwitchId === vsw.id))
        refuse('DependencyViolation.SnatEntry', 400, `An SNAT entry still names the vSwitch ${vsw.id}.`);
      table.remove(vsw.id);
      return {};
    },

    CreateNatGateway({ params }) {
      const vpc = vpcOf(required(params, 'VpcId'));
      available(vpc, 'IncorrectVpcStatus');
      if ((params.NatType ?? 'Enhanced') !== 'Enhanced')
        refuse('OperationUnsupported.NormalNatGateway', 400, 'Only Enhanced NAT gateways can be created.');
      const vsw = table.get('vswitch', required(params, 'VSwitchId'), 'InvalidVSwitchId.NotFound');
      if (vsw.fields.VpcId !== vpc.id)
        refuse('InvalidVSwitchId.NotBelongToVpc', 400, `The vSwitch ${vsw.id} is not in ${vpc.id}.`);
      available(vsw, 'IncorrectVSwitchStatus');
      const nat = table.create(
        'nat-gateway',
        params,
        params.Name ?? '',
        {
          VpcId: vpc.id,
          VSwitchId: vsw.id,
          ZoneId: vsw.fields.ZoneId!,
          NatType: 'Enhanced',
          SnatTableId: fakeId('stb'),
          ForwardTableId: fakeId('ftb'),
        },
        { from: 'Creating', to: 'Available' },
      );
      return {
        NatGatewayId: nat.id,
        SnatTableIds: { SnatTableId: [nat.fields.SnatTableId] },
        ForwardTableIds: { ForwardTableId: [nat.fields.ForwardTableId] },
      };
    },
    DescribeNatGateways({ params }) {
      required(params, 'RegionId');
      const found = table.filter('nat-gateway', params, {
        ids: params.NatGatewayId,
        fields: { VpcId: params.VpcId, Name: params.Name, NatType: params.NatType },
      });
      const { items, ...page } = numberedPage(found, params);
      return { ...page, NatGateways: { NatGateway: items.map(describeNat) } };
    },
    DeleteNatGateway({ params }) {
      const nat = natOf(params.NatGatewayId);
      if (nat.status === 'Deleting') return {};
      available(nat, 'IncorrectStatus.NatGateway');
      const entries = snatEntriesOf(nat.fields.SnatTableId!);
      const eips = eipsOf(nat.id);
      if (params.Force !== 'true') {
        if (entries.length > 0)
          refuse('DependencyViolation.SnatEntry', 400, `The NAT gateway ${nat.id} still has SNAT entries.`);
        if (eips.length > 0)
          refuse('DependencyViolation.EIPS', 400, `The NAT gateway ${nat.id} still has EIPs.`);
      }
      for (const entry of entries) table.remove(entry.id);
      for (const eip of eips) {
        delete eip.fields.InstanceId;
        delete eip.fields.InstanceType;
        eip.status = 'Available';
      }
      table.settle(nat, 'Deleting', 'gone');
      return {};
    },

    AllocateEipAddress({ params }) {
      required(params, 'RegionId');
      const eip = table.create('eip', params, params.Name ?? '', {
        IpAddress: `47.${randomBytes(3).join('.')}`,
        Bandwidth: params.Bandwidth ?? '5',
        InternetChargeType: params.InternetChargeType ?? 'PayByBandwidth',
        InstanceChargeType: params.InstanceChargeType ?? 'PostPaid',
      });
      return { AllocationId: eip.id, EipAddress: eip.fields.IpAddress };
    },
    DescribeEipAddresses({ params }) {
      required(params, 'RegionId');
      const found = table.filter('eip', params, {
        ids: params.AllocationId,
        fields: {
          Name: params.EipName,
          Status: params.Status,
          IpAddress: params.EipAddress,
          InstanceId: params.AssociatedInstanceId,
          InstanceType: params.AssociatedInstanceType,
        },
      });
      const { items, ...page } = numberedPage(found, params, 100);
      return { ...page, EipAddresses: { EipAddress: items.map(describeEip) } };
    },
    AssociateEipAddress({ params }) {
      const eip = eipOf(required(params, 'AllocationId'));
      const type = params.InstanceType ?? 'EcsInstance';
      if (type !== 'Nat' && type !== 'EcsInstance')
        refuse('InvalidParameter', 400, 'The fake associates EIPs with NAT gateways and ECS instances only.');
      const instanceId = required(params, 'InstanceId');
      if (type === 'Nat') available(natOf(instanceId), 'IncorrectStatus.NatGateway');
      else if (!hooks.instanceExists(instanceId))
        refuse('InvalidInstanceId.NotFound', 404, `The instance ${instanceId} does not exist.`);
      available(eip, 'IncorrectEipStatus');
      eip.fields.InstanceId = instanceId;
      eip.fields.InstanceType = type;
      table.settle(eip, 'Associating', 'InUse');
      return {};
    },
    UnassociateEipAddress({ params }) {
      const eip = eipOf(required(params, 'AllocationId'));
      if (eip.status !== 'InUse')
        refuse('IncorrectEipStatus', 400, `The EIP ${eip.id} is ${eip.status}, not InUse.`);
      const nat = eip.fields.InstanceId;
      if (params.InstanceId !== undefined && params.InstanceId !== nat)
        refuse(
          'InvalidInstanceId.NotMatch',
          400,
          `The EIP ${eip.id} is not associated with ${params.InstanceId}.`,
        );
      const usedBy = table.list('snat-entry').find((entry) => entry.fields.SnatIp === eip.fields.IpAddress);
      if (usedBy)
        refuse('DependencyViolation.SnatEntry', 400, `The EIP ${eip.id} is used by SNAT entry ${usedBy.id}.`);
      delete eip.fields.InstanceId;
      delete eip.fields.InstanceType;
      table.settle(eip, 'Unassociating', 'Available');
      return {};
    },
    ReleaseEipAddress({ params }) {
      const eip = eipOf(required(params, 'AllocationId'));
      available(eip, 'IncorrectEipStatus');
      table.remove(eip.id);
      return {};
    },

    CreateSnatEntry({ params }) {
      const nat = natOfTable(required(params, 'SnatTableId'));
      available(nat, 'IncorrectStatus.NatGateway');
      const ip = required(params, 'SnatIp');
      const eip = eipsOf(nat.id).find((candidate) => candidate.fields.IpAddress === ip);
      if (eip?.status !== 'InUse')
        refuse('InvalidSnatIp.NotBelongToNatGateway', 400, `The IP ${ip} is not an EIP in use by ${nat.id}.`);
      const source = params.SourceVSwitchId;
      if (source === undefined && params.SourceCIDR === undefined)
        refuse('MissingParameter', 400, 'One of SourceVSwitchId and SourceCIDR is required.');
      if (source !== undefined) {
        const vsw = table.get('vswitch', source, 'InvalidVSwitchId.NotFound');
        if (vsw.fields.VpcId !== nat.fields.VpcId)
          refuse(
            'InvalidVSwitchId.NotBelongToVpc',
            400,
            `The vSwitch ${source} is not in the NAT gateway's VPC.`,
          );
        if (snatEntriesOf(nat.fields.SnatTableId!).some((entry) => entry.fields.SourceVSwitchId === source))
          refuse(
            'Forbidden.SourceVSwitchId.Duplicated',
            400,
            `The SNAT table already has an entry for ${source}.`,
          );
      }
      const entry = table.create(
        'snat-entry',
        params,
        params.SnatEntryName ?? '',
        {
          SnatTableId: nat.fields.SnatTableId!,
          NatGatewayId: nat.id,
          SnatIp: ip,
          ...(source === undefined ? {} : { SourceVSwitchId: source }),
          SourceCIDR: params.SourceCIDR ?? table.find('vswitch', source)?.fields.CidrBlock ?? '',
        },
        { from: 'Pending', to: 'Available' },
      );
      return { SnatEntryId: entry.id };
    },
    DescribeSnatTableEntries({ params }) {
      natOfTable(required(params, 'SnatTableId'));
      const found = table.filter('snat-entry', params, {
        ids: params.SnatEntryId,
        fields: {
          SnatTableId: params.SnatTableId,
          SourceVSwitchId: params.SourceVSwitchId,
          Name: params.SnatEntryName,
          SnatIp: params.SnatIp,
        },
      });
      const { items, ...page } = numberedPage(found, params);
      return { ...page, SnatTableEntries: { SnatTableEntry: items.map(describeSnat) } };
    },
    DeleteSnatEntry({ params }) {
      natOfTable(required(params, 'SnatTableId'));
      const entry = table.get('snat-entry', required(params, 'SnatEntryId'), 'InvalidSnatEntryId.NotFound');
      if (entry.status === 'Deleting') return {};
      available(entry, 'IncorrectStatus.SnatEntry');
      table.settle(entry, 'Deleting', 'gone');
      return {};
    },
  };
}
