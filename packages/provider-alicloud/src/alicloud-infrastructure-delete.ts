import * as $Ecs from '@alicloud/ecs20140526';
import * as $Vpc from '@alicloud/vpc20160428';
import { TrellisError } from '@trellis/core';
import { isPending, retry } from '@trellis/provider-kit';
import { type AlicloudInfrastructureContext, call, waitUntil } from './alicloud-infrastructure-context.js';
import { stateKeys } from './alicloud-infrastructure-names.js';
import { describeSnatEntries, recordedNat, snatTableOf } from './alicloud-nat-steps.js';
import { ownedSecurityGroups } from './alicloud-security-group-step.js';
import {
  describeEips,
  describeNatGateways,
  ownedEips,
  ownedNatGateways,
  ownedVpcs,
  ownedVSwitches,
} from './alicloud-vpc-steps.js';

/**
 * The ids a state entry stands for: the recorded id; for a write-ahead mark (a create whose answer
 * was never saved) whatever carries the cluster's tag and the name (the create tagged it, so it
 * is found if it was made); nothing for the user's resources.
 */
async function locate(
  context: AlicloudInfrastructureContext,
  key: string,
  owned: (name: string) => Promise<string[]>,
): Promise<string[]> {
  const resource = context.state.get(key);
  if (!resource || resource.managed === false) return [];
  if (!isPending(resource)) return [resource.id];
  return owned(String(resource.attributes?.name ?? ''));
}

/** Sends a delete; a resource already gone is success; refusals while dependents go away are retried. */
async function sendDelete(
  context: AlicloudInfrastructureContext,
  action: string,
  send: () => Promise<unknown>,
): Promise<void> {
  try {
    await retry(() => call(context, action, send), {
      jitter: 'equal',
      ...context.timing.deleteRetry,
      // `DependencyViolation.*`, `Incorrect*Status` and `TaskConflict` map to a retryable
      // `Unavailable` (alicloud-errors): dependents still going away.
      decide: (error) => ({ retry: TrellisError.isInstance(error) && error.retryable }),
      signal: context.signal,
      context: { provider: 'alicloud', operation: context.operation },
    });
  } catch (error) {
    if (!TrellisError.hasCode(error, 'NotFound')) throw error;
  }
}

async function forget(context: AlicloudInfrastructureContext, key: string): Promise<void> {
  if (!context.state.get(key)) return;
  context.state.remove(key);
  await context.saveState();
}

/** What a delete knows of the NAT gateway. */
interface NatRef {
  readonly natGatewayId: string;
  readonly snatTableId: string;
}

/** The NAT gateway the state names (recorded, or found by its tags for a mark) and its SNAT table. */
async function natOf(context: AlicloudInfrastructureContext): Promise<NatRef | undefined> {
  const resource = context.state.get(stateKeys.natGateway);
  if (!resource) return undefined;
  if (!isPending(resource)) return recordedNat(context);
  const [found] = await ownedNatGateways(context);
  return found?.natGatewayId
    ? { natGatewayId: found.natGatewayId, snatTableId: snatTableOf(found) }
    : undefined;
}

/** A zone's SNAT entry, then its EIP unbound from the NAT gateway and (Trellis' only) released. */
async function deleteZoneEgress(
  context: AlicloudInfrastructureContext,
  zone: string,
  nat: NatRef | undefined,
): Promise<void> {
  const snatKey = stateKeys.snat(zone);
  if (nat) {
    const { snatTableId } = nat;
    const entries = await locate(context, snatKey, async (name) =>
      (await describeSnatEntries(context, { snatTableId, snatEntryName: name })).map(
        (entry) => entry.snatEntryId ?? '',
      ),
    );
    for (const snatEntryId of entries) {
      await sendDelete(context, 'DeleteSnatEntry', () =>
        context
          .vpc()
          .deleteSnatEntry(
            new $Vpc.DeleteSnatEntryRequest({ regionId: context.region, snatTableId, snatEntryId }),
          ),
      );
      await waitUntil(
        context,
        `SNAT entry ${snatEntryId}`,
        async () => (await describeSnatEntries(context, { snatTableId, snatEntryId }))[0],
        (found) => found === undefined,
      );
    }
  }
  await forget(context, snatKey);

  const eipKey = stateKeys.eip(zone);
  const resource = context.state.get(eipKey);
  if (!resource) return;
  const ids =
    resource.managed === false
      ? [resource.id]
      : await locate(context, eipKey, async (name) =>
          (await ownedEips(context, name)).map((eip) => eip.allocationId ?? ''),
        );
  for (const allocationId of ids) {
    const read = async () => (await describeEips(context, { allocationId }))[0];
    const eip = await waitUntil(
      context,
      `EIP ${allocationId}`,
      read,
      (found) => !['Associating', 'Unassociating'].includes(found?.status ?? ''),
    );
    if (eip?.status === 'InUse' && nat && eip.instanceId === nat.natGatewayId) {
      await sendDelete(context, 'UnassociateEipAddress', () =>
        context.vpc().unassociateEipAddress(
          new $Vpc.UnassociateEipAddressRequest({
            regionId: context.region,
            allocationId,
            instanceId: nat.natGatewayId,
            instanceType: 'Nat',
          }),
        ),
      );
      await waitUntil(
        context,
        `EIP ${allocationId}`,
        read,
        (found) => found?.status !== 'Unassociating' && found?.status !== 'InUse',
      );
    }
    if (resource.managed !== false && eip) {
      await sendDelete(context, 'ReleaseEipAddress', () =>
        context
          .vpc()
          .releaseEipAddress(new $Vpc.ReleaseEipAddressRequest({ regionId: context.region, allocationId })),
      );
    }
  }
  await forget(context, eipKey);
}

async function deleteNatGateway(
  context: AlicloudInfrastructureContext,
  nat: NatRef | undefined,
): Promise<void> {
  const resource = context.state.get(stateKeys.natGateway);
  if (nat && resource && resource.managed !== false) {
    const { natGatewayId } = nat;
    await sendDelete(context, 'DeleteNatGateway', () =>
      context
        .vpc()
        .deleteNatGateway(
          new $Vpc.DeleteNatGatewayRequest({ regionId: context.region, natGatewayId, force: true }),
        ),
    );
    await waitUntil(
      context,
      `NAT gateway ${natGatewayId}`,
      async () => (await describeNatGateways(context, { natGatewayId }))[0],
      (found) => found === undefined,
    );
  }
  await forget(context, stateKeys.natGateway);
}

async function deleteVSwitch(context: AlicloudInfrastructureContext, zone: string): Promise<void> {
  const key = stateKeys.vswitch(zone);
  const ids = await locate(context, key, async (name) =>
    (await ownedVSwitches(context, name)).map((vsw) => vsw.vSwitchId ?? ''),
  );
  for (const vSwitchId of ids) {
    await sendDelete(context, 'DeleteVSwitch', () =>
      context.vpc().deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ regionId: context.region, vSwitchId })),
    );
  }
  await forget(context, key);
}

async function deleteSecurityGroup(context: AlicloudInfrastructureContext): Promise<void> {
  const key = stateKeys.securityGroup;
  const ids = await locate(context, key, async (name) =>
    (await ownedSecurityGroups(context, name)).map((group) => group.securityGroupId ?? ''),
  );
  for (const securityGroupId of ids) {
    await sendDelete(context, 'DeleteSecurityGroup', () =>
      context
        .ecs()
        .deleteSecurityGroup(
          new $Ecs.DeleteSecurityGroupRequest({ regionId: context.region, securityGroupId }),
        ),
    );
  }
  await forget(context, key);
}

async function deleteVpc(context: AlicloudInfrastructureContext): Promise<void> {
  const ids = await locate(context, stateKeys.vpc, async (name) =>
    (await ownedVpcs(context, name)).map((vpc) => vpc.vpcId ?? ''),
  );
  for (const vpcId of ids) {
    await sendDelete(context, 'DeleteVpc', () =>
      context.vpc().deleteVpc(new $Vpc.DeleteVpcRequest({ regionId: context.region, vpcId })),
    );
  }
  await forget(context, stateKeys.vpc);
}

/** The zones the state names a resource of. */
function zonesOf(context: AlicloudInfrastructureContext): string[] {
  const zones = new Set<string>();
  for (const [key] of context.state.entries()) {
    const match = /^(?:vswitch|eip|snat)\/(.+)$/.exec(key);
    if (match) zones.add(match[1]!);
  }
  return [...zones].sort();
}

/**
 * Deletes what the state records, in Gardener's order: per zone the SNAT entry, then the EIP
 * (unbound; released when Trellis allocated it), then the NAT gateway (Trellis' only), the
 * vSwitches; the security group meanwhile; the VPC last (Trellis' only). The user's VPC, NAT
 * gateway and EIPs are never deleted. Each resource leaves the state (saved) once it is gone, so an
 * interrupted delete resumes.
 */
export async function deleteAlicloudInfrastructure(context: AlicloudInfrastructureContext): Promise<void> {
  context.state.clearSteps();
  const zones = zonesOf(context);
  await Promise.all([
    (async () => {
      const nat = await natOf(context);
      await Promise.all(zones.map((zone) => deleteZoneEgress(context, zone, nat)));
      await deleteNatGateway(context, nat);
      await Promise.all(zones.map((zone) => deleteVSwitch(context, zone)));
    })(),
    deleteSecurityGroup(context),
  ]);
  await deleteVpc(context);
  await context.saveState();
}
