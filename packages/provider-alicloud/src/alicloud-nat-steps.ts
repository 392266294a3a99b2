import { randomUUID } from 'node:crypto';
import * as $Vpc from '@alicloud/vpc20160428';
import { invalidArgument, TrellisError } from '@trellis/core';
import {
  type AlicloudInfrastructureContext,
  call,
  describeAll,
  ensureOwnedResource,
  ownedTagFilter,
  recordedId,
  waitUntil,
} from './alicloud-infrastructure-context.js';
import { resourceNames, stateKeys } from './alicloud-infrastructure-names.js';
import {
  describeEips,
  describeNatGateways,
  ownedEips,
  ownedNatGateways,
  userNatGateways,
} from './alicloud-vpc-steps.js';

type SnatItem = $Vpc.DescribeSnatTableEntriesResponseBodySnatTableEntriesSnatTableEntry;

/** The SNAT table of a NAT gateway as DescribeNatGateways reports it. */
export const snatTableOf = (gateway: $Vpc.DescribeNatGatewaysResponseBodyNatGatewaysNatGateway) =>
  gateway.snatTableIds?.snatTableId?.[0] ?? '';

/** The recorded NAT gateway and its SNAT table. */
export function recordedNat(context: AlicloudInfrastructureContext): {
  natGatewayId: string;
  snatTableId: string;
} {
  return {
    natGatewayId: recordedId(context, stateKeys.natGateway),
    snatTableId: String(context.state.get(stateKeys.natGateway)?.attributes?.snatTableId ?? ''),
  };
}

/**
 * Step `nat-gateway`: in a bring-your-own VPC without `gardenerManagedNATGateway` the one NAT
 * gateway already there (recorded as the user's, never deleted); else `<cluster>-natgw`, an
 * Enhanced NAT gateway in the first zone's vSwitch.
 */
export async function ensureNatGateway(context: AlicloudInfrastructureContext): Promise<void> {
  const { config, cluster, state } = context;
  const vpcId = recordedId(context, stateKeys.vpc);
  if (config.networks.vpc.id && !config.networks.vpc.gardenerManagedNATGateway) {
    const [gateway] = await userNatGateways(context, vpcId);
    if (!gateway?.natGatewayId) throw new Error(`VPC ${vpcId} has no NAT gateway of its own any more`);
    state.set(stateKeys.natGateway, {
      id: gateway.natGatewayId,
      kind: 'nat-gateway',
      managed: false,
      attributes: { snatTableId: snatTableOf(gateway) },
    });
    return;
  }
  const name = resourceNames.natGateway(cluster);
  const first = config.networks.zones[0]!.name;
  const vSwitchId = recordedId(context, stateKeys.vswitch(first));
  await ensureOwnedResource(context, {
    key: stateKeys.natGateway,
    kind: 'nat-gateway',
    name,
    what: 'NAT gateway',
    byId: async (natGatewayId) => (await describeNatGateways(context, { natGatewayId }))[0],
    owned: () => ownedNatGateways(context, vpcId),
    create: (clientToken) =>
      call(context, 'CreateNatGateway', async () => {
        const { body } = await context.vpc().createNatGateway(
          new $Vpc.CreateNatGatewayRequest({
            regionId: context.region,
            vpcId,
            vSwitchId,
            natType: 'Enhanced',
            networkType: 'internet',
            internetChargeType: 'PayByLcu',
            name,
            description: `Trellis-managed NAT gateway of cluster ${cluster}`,
            clientToken,
            tag: ownedTagFilter(context, name, $Vpc.CreateNatGatewayRequestTag),
          }),
        );
        return body?.natGatewayId;
      }),
    id: (gateway) => gateway.natGatewayId ?? '',
    ready: (gateway) => gateway.status === 'Available',
    attributes: (gateway) => ({ snatTableId: snatTableOf(gateway) }),
  });
}

/** Step `eip/<zone>`: the user's EIP (recorded, never released) or `<cluster>-eip-natgw-<zone>`. */
export async function ensureEip(
  context: AlicloudInfrastructureContext,
  zone: { name: string; natGateway?: { eipAllocationID: string } | undefined },
): Promise<void> {
  const { cluster, state } = context;
  const key = stateKeys.eip(zone.name);
  const byId = async (allocationId: string) => (await describeEips(context, { allocationId }))[0];
  const user = zone.natGateway?.eipAllocationID;
  if (user) {
    const eip = await byId(user);
    if (!eip) throw new Error(`EIP ${user} does not exist any more`);
    state.set(key, { id: user, kind: 'eip', managed: false, attributes: { ip: eip.ipAddress ?? '' } });
    return;
  }
  const name = resourceNames.eip(cluster, zone.name);
  await ensureOwnedResource(context, {
    key,
    kind: 'eip',
    name,
    what: 'EIP',
    byId,
    owned: () => ownedEips(context, name),
    create: (clientToken) =>
      call(context, 'AllocateEipAddress', async () => {
        const { body } = await context.vpc().allocateEipAddress(
          new $Vpc.AllocateEipAddressRequest({
            regionId: context.region,
            bandwidth: '100',
            instanceChargeType: 'PostPaid',
            internetChargeType: 'PayByTraffic',
            name,
            description: `Trellis-managed SNAT address of cluster ${cluster} in ${zone.name}`,
            clientToken,
            tag: ownedTagFilter(context, name, $Vpc.AllocateEipAddressRequestTag),
          }),
        );
        return body?.allocationId;
      }),
    id: (eip) => eip.allocationId ?? '',
    ready: (eip) => eip.status === 'Available' || eip.status === 'InUse',
    attributes: (eip) => ({ ip: eip.ipAddress ?? '' }),
  });
}

/** Step `eip-association/<zone>`: the zone's EIP bound to the NAT gateway (`InUse`). */
export async function ensureEipAssociation(
  context: AlicloudInfrastructureContext,
  zone: string,
  index: number,
): Promise<void> {
  const { natGatewayId } = recordedNat(context);
  const allocationId = recordedId(context, stateKeys.eip(zone));
  const read = async () => (await describeEips(context, { allocationId }))[0];
  const eip = await waitUntil(
    context,
    `EIP ${allocationId}`,
    read,
    (found) => found === undefined || ['Available', 'InUse'].includes(found.status ?? ''),
  );
  if (!eip) throw new Error(`EIP ${allocationId} does not exist any more`);
  if (eip.status === 'InUse' && eip.instanceId === natGatewayId) return;
  if (eip.status === 'InUse') {
    const message = `EIP ${allocationId} is bound to ${eip.instanceType ?? ''} ${eip.instanceId ?? ''}, not to the cluster's NAT gateway ${natGatewayId}`;
    if (context.state.get(stateKeys.eip(zone))?.managed === false)
      throw invalidArgument(
        'invalid Alibaba Cloud infrastructure config',
        [{ path: `networks.zones[${index}].natGateway.eipAllocationID`, message }],
        { provider: 'alicloud', operation: context.operation },
      );
    throw new TrellisError({ code: 'Internal', provider: 'alicloud', operation: context.operation, message });
  }
  const clientToken = randomUUID();
  await call(context, 'AssociateEipAddress', () =>
    context.vpc().associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: context.region,
        allocationId,
        instanceId: natGatewayId,
        instanceType: 'Nat',
        clientToken,
      }),
    ),
  );
  await waitUntil(context, `EIP ${allocationId} association`, read, (found) => found?.status === 'InUse');
}

/** SNAT entries of a table, by the given filters; none when the table (its NAT gateway) is gone. */
export async function describeSnatEntries(
  context: AlicloudInfrastructureContext,
  fields: Omit<ConstructorParameters<typeof $Vpc.DescribeSnatTableEntriesRequest>[0] & object, 'regionId'>,
): Promise<SnatItem[]> {
  try {
    return await describeEntries(context, fields);
  } catch (error) {
    if (TrellisError.hasCode(error, 'NotFound')) return [];
    throw error;
  }
}

function describeEntries(
  context: AlicloudInfrastructureContext,
  fields: Omit<ConstructorParameters<typeof $Vpc.DescribeSnatTableEntriesRequest>[0] & object, 'regionId'>,
): Promise<SnatItem[]> {
  return describeAll(context, 'DescribeSnatTableEntries', async (pageNumber, pageSize) => {
    const { body } = await context.vpc().describeSnatTableEntries(
      new $Vpc.DescribeSnatTableEntriesRequest({
        ...fields,
        regionId: context.region,
        pageNumber,
        pageSize,
      }),
    );
    return { items: body?.snatTableEntries?.snatTableEntry, total: body?.totalCount };
  });
}

/**
 * Step `snat/<zone>`: the SNAT entry `<cluster>-snat-<zone>` sending the zone's vSwitch out through
 * its EIP. SNAT entries take no tags: it is found by its name and source vSwitch in the table.
 */
export async function ensureSnatEntry(context: AlicloudInfrastructureContext, zone: string): Promise<void> {
  const { snatTableId } = recordedNat(context);
  const sourceVSwitchId = recordedId(context, stateKeys.vswitch(zone));
  const snatIp = String(context.state.get(stateKeys.eip(zone))?.attributes?.ip ?? '');
  const name = resourceNames.snat(context.cluster, zone);
  await ensureOwnedResource(context, {
    key: stateKeys.snat(zone),
    kind: 'snat-entry',
    name,
    what: 'SNAT entry',
    byId: async (snatEntryId) => (await describeSnatEntries(context, { snatTableId, snatEntryId }))[0],
    owned: async () =>
      (await describeSnatEntries(context, { snatTableId, sourceVSwitchId })).filter(
        (entry) => entry.snatEntryName === name,
      ),
    create: (clientToken) =>
      call(context, 'CreateSnatEntry', async () => {
        const { body } = await context.vpc().createSnatEntry(
          new $Vpc.CreateSnatEntryRequest({
            regionId: context.region,
            snatTableId,
            sourceVSwitchId,
            snatIp,
            snatEntryName: name,
            clientToken,
          }),
        );
        return body?.snatEntryId;
      }),
    id: (entry) => entry.snatEntryId ?? '',
    ready: (entry) => entry.status === 'Available',
    attributes: () => ({ snatTableId, ip: snatIp }),
  });
}
