import * as $Vpc from '@alicloud/vpc20160428';
import {
  CLUSTER_TAG_PREFIX,
  cidrContains,
  cidrOverlaps,
  type FieldIssue,
  invalidArgument,
} from '@trellis/core';
import {
  type AlicloudInfrastructureContext,
  call,
  describeAll,
  ensureOwnedResource,
  ownedTagFilter,
  recordedId,
} from './alicloud-infrastructure-context.js';
import { resourceNames, stateKeys } from './alicloud-infrastructure-names.js';

type VpcItem = $Vpc.DescribeVpcsResponseBodyVpcsVpc;
type VSwitchItem = $Vpc.DescribeVSwitchesResponseBodyVSwitchesVSwitch;
type NatItem = $Vpc.DescribeNatGatewaysResponseBodyNatGatewaysNatGateway;
type EipItem = $Vpc.DescribeEipAddressesResponseBodyEipAddressesEipAddress;

const configError = (context: AlicloudInfrastructureContext, issues: FieldIssue[]) =>
  invalidArgument('invalid Alibaba Cloud infrastructure config', issues, {
    provider: 'alicloud',
    operation: context.operation,
  });

export async function describeVpcs(
  context: AlicloudInfrastructureContext,
  fields: Omit<ConstructorParameters<typeof $Vpc.DescribeVpcsRequest>[0] & object, 'regionId'>,
): Promise<VpcItem[]> {
  return describeAll(context, 'DescribeVpcs', async (pageNumber, pageSize) => {
    const { body } = await context
      .vpc()
      .describeVpcs(
        new $Vpc.DescribeVpcsRequest({ ...fields, regionId: context.region, pageNumber, pageSize }),
      );
    return { items: body?.vpcs?.vpc, total: body?.totalCount };
  });
}

export async function describeVSwitches(
  context: AlicloudInfrastructureContext,
  fields: Omit<ConstructorParameters<typeof $Vpc.DescribeVSwitchesRequest>[0] & object, 'regionId'>,
): Promise<VSwitchItem[]> {
  return describeAll(context, 'DescribeVSwitches', async (pageNumber, pageSize) => {
    const { body } = await context
      .vpc()
      .describeVSwitches(
        new $Vpc.DescribeVSwitchesRequest({ ...fields, regionId: context.region, pageNumber, pageSize }),
      );
    return { items: body?.vSwitches?.vSwitch, total: body?.totalCount };
  });
}

export async function describeNatGateways(
  context: AlicloudInfrastructureContext,
  fields: Omit<ConstructorParameters<typeof $Vpc.DescribeNatGatewaysRequest>[0] & object, 'regionId'>,
): Promise<NatItem[]> {
  return describeAll(context, 'DescribeNatGateways', async (pageNumber, pageSize) => {
    const { body } = await context
      .vpc()
      .describeNatGateways(
        new $Vpc.DescribeNatGatewaysRequest({ ...fields, regionId: context.region, pageNumber, pageSize }),
      );
    return { items: body?.natGateways?.natGateway, total: body?.totalCount };
  });
}

export async function describeEips(
  context: AlicloudInfrastructureContext,
  fields: Omit<ConstructorParameters<typeof $Vpc.DescribeEipAddressesRequest>[0] & object, 'regionId'>,
): Promise<EipItem[]> {
  return describeAll(context, 'DescribeEipAddresses', async (pageNumber, pageSize) => {
    const { body } = await context
      .vpc()
      .describeEipAddresses(
        new $Vpc.DescribeEipAddressesRequest({ ...fields, regionId: context.region, pageNumber, pageSize }),
      );
    return { items: body?.eipAddresses?.eipAddress, total: body?.totalCount };
  });
}

/** The cluster's VPCs named `name` (by the tags their create gave them). */
export const ownedVpcs = (context: AlicloudInfrastructureContext, name: string) =>
  describeVpcs(context, { tag: ownedTagFilter(context, name, $Vpc.DescribeVpcsRequestTag) });

/** The cluster's vSwitches named `name` (in `vpcId`, when given). */
export const ownedVSwitches = (context: AlicloudInfrastructureContext, name: string, vpcId?: string) =>
  describeVSwitches(context, {
    ...(vpcId ? { vpcId } : {}),
    tag: ownedTagFilter(context, name, $Vpc.DescribeVSwitchesRequestTag),
  });

/** The cluster's NAT gateways (`<cluster>-natgw`, in `vpcId` when given). */
export const ownedNatGateways = (context: AlicloudInfrastructureContext, vpcId?: string) =>
  describeNatGateways(context, {
    ...(vpcId ? { vpcId } : {}),
    tag: ownedTagFilter(
      context,
      resourceNames.natGateway(context.cluster),
      $Vpc.DescribeNatGatewaysRequestTag,
    ),
  });

/** The cluster's EIPs named `name`. */
export const ownedEips = (context: AlicloudInfrastructureContext, name: string) =>
  describeEips(context, { tag: ownedTagFilter(context, name, $Vpc.DescribeEipAddressesRequestTag) });

/** The NAT gateway of a bring-your-own VPC Trellis uses: the one there without a cluster's tag. */
export async function userNatGateways(
  context: AlicloudInfrastructureContext,
  vpcId: string,
): Promise<NatItem[]> {
  const gateways = await describeNatGateways(context, { vpcId });
  return gateways.filter(
    (gateway) => !(gateway.tags?.tag ?? []).some((tag) => (tag.tagKey ?? '').startsWith(CLUSTER_TAG_PREFIX)),
  );
}

/**
 * What the config names must exist before anything is made (Gardener's configvalidator): the
 * user's VPC, its one NAT gateway (unless Trellis makes its own), the user's EIPs; a zone of
 * another region; worker CIDRs that do not fit a bring-your-own VPC or clash with its vSwitches.
 */
async function checkUserResources(
  context: AlicloudInfrastructureContext,
  vpc: VpcItem | undefined,
): Promise<void> {
  const { config, region } = context;
  const issues: FieldIssue[] = [];
  const zones = config.networks.zones;
  zones.forEach((zone, index) => {
    if (!zone.name.startsWith(region) || zone.name.length === region.length)
      issues.push({
        path: `networks.zones[${index}].name`,
        message: `"${zone.name}" is not a zone of region ${region}`,
      });
  });
  const byo = config.networks.vpc.id;
  if (byo && !vpc)
    issues.push({ path: 'networks.vpc.id', message: `VPC "${byo}" does not exist in ${region}` });
  if (byo && vpc) {
    const vpcCidr = vpc.cidrBlock ?? '';
    const ours = new Set(zones.map((zone) => resourceNames.vswitch(context.cluster, zone.name)));
    const others = (await describeVSwitches(context, { vpcId: byo })).filter(
      (vsw) => !ours.has(vsw.vSwitchName ?? ''),
    );
    zones.forEach((zone, index) => {
      const path = `networks.zones[${index}].workers`;
      if (vpcCidr && !cidrContains(vpcCidr, zone.workers))
        issues.push({ path, message: `"${zone.workers}" must lie within the VPC's CIDR "${vpcCidr}"` });
      const clash = others.find((vsw) => vsw.cidrBlock && cidrOverlaps(vsw.cidrBlock, zone.workers));
      if (clash)
        issues.push({
          path,
          message: `"${zone.workers}" overlaps vSwitch ${clash.vSwitchId} ("${clash.cidrBlock}") of the VPC`,
        });
    });
    if (!config.networks.vpc.gardenerManagedNATGateway) {
      const gateways = await userNatGateways(context, byo);
      if (gateways.length !== 1)
        issues.push({
          path: 'networks.vpc.id',
          message: `VPC "${byo}" must hold exactly one NAT gateway of its own (found ${gateways.length}); or set networks.vpc.gardenerManagedNATGateway`,
        });
    }
  }
  const userEips = zones.flatMap((zone, index) =>
    zone.natGateway ? [{ id: zone.natGateway.eipAllocationID, index }] : [],
  );
  if (userEips.length > 0) {
    const found = new Set(
      (await describeEips(context, { allocationId: userEips.map((eip) => eip.id).join(',') })).map(
        (eip) => eip.allocationId,
      ),
    );
    for (const eip of userEips)
      if (!found.has(eip.id))
        issues.push({
          path: `networks.zones[${eip.index}].natGateway.eipAllocationID`,
          message: `EIP "${eip.id}" does not exist in ${region}`,
        });
  }
  if (issues.length > 0) throw configError(context, issues);
}

/** Step `vpc`: checks what the config names, then adopts the user's VPC or finds or creates `<cluster>-vpc`. */
export async function ensureVpc(context: AlicloudInfrastructureContext): Promise<void> {
  const { config, state, cluster } = context;
  const byId = async (vpcId: string) => (await describeVpcs(context, { vpcId }))[0];
  const byo = config.networks.vpc.id;
  if (byo) {
    const vpc = await byId(byo);
    await checkUserResources(context, vpc);
    state.set(stateKeys.vpc, {
      id: byo,
      kind: 'vpc',
      managed: false,
      attributes: { cidr: vpc?.cidrBlock ?? '' },
    });
    return;
  }
  await checkUserResources(context, undefined);
  const name = resourceNames.vpc(cluster);
  await ensureOwnedResource(context, {
    key: stateKeys.vpc,
    kind: 'vpc',
    name,
    what: 'VPC',
    byId,
    owned: () => ownedVpcs(context, name),
    create: (clientToken) =>
      call(context, 'CreateVpc', async () => {
        const { body } = await context.vpc().createVpc(
          new $Vpc.CreateVpcRequest({
            regionId: context.region,
            cidrBlock: config.networks.vpc.cidr,
            vpcName: name,
            description: `Trellis-managed VPC of cluster ${cluster}`,
            clientToken,
            tag: ownedTagFilter(context, name, $Vpc.CreateVpcRequestTag),
          }),
        );
        return body?.vpcId;
      }),
    id: (vpc) => vpc.vpcId ?? '',
    ready: (vpc) => vpc.status === 'Available',
    attributes: (vpc) => ({ cidr: vpc.cidrBlock ?? config.networks.vpc.cidr ?? '' }),
  });
}

/** Step `vswitch/<zone>`: the zone's nodes vSwitch `<cluster>-<zone>-vsw`. */
export async function ensureVSwitch(
  context: AlicloudInfrastructureContext,
  zone: { name: string; workers: string },
): Promise<void> {
  const { cluster } = context;
  const vpcId = recordedId(context, stateKeys.vpc);
  const name = resourceNames.vswitch(cluster, zone.name);
  await ensureOwnedResource(context, {
    key: stateKeys.vswitch(zone.name),
    kind: 'vswitch',
    name,
    what: 'vSwitch',
    byId: async (vSwitchId) => (await describeVSwitches(context, { vSwitchId }))[0],
    owned: () => ownedVSwitches(context, name, vpcId),
    create: (clientToken) =>
      call(context, 'CreateVSwitch', async () => {
        const { body } = await context.vpc().createVSwitch(
          new $Vpc.CreateVSwitchRequest({
            regionId: context.region,
            vpcId,
            zoneId: zone.name,
            cidrBlock: zone.workers,
            vSwitchName: name,
            description: `Trellis-managed nodes vSwitch of cluster ${cluster}`,
            clientToken,
            tag: ownedTagFilter(context, name, $Vpc.CreateVSwitchRequestTag),
          }),
        );
        return body?.vSwitchId;
      }),
    id: (vsw) => vsw.vSwitchId ?? '',
    ready: (vsw) => vsw.status === 'Available',
    attributes: (vsw) => ({ cidr: vsw.cidrBlock ?? zone.workers, zone: vsw.zoneId ?? zone.name }),
  });
}
