import * as $Ecs from '@alicloud/ecs20140526';
import type { CreateMachineRequest } from '@trellis/core';
import { deriveClientToken } from '@trellis/provider-kit';
import type { AlicloudMachineClass } from './alicloud-machine-class.js';
import { alicloudMachineTags } from './alicloud-machine-instance.js';

/** JSON with sorted keys: the same request always gives the same text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry).sort(([first], [second]) => first.localeCompare(second)))
      : entry,
  );
}

/**
 * The `ClientToken` of a machine's RunInstances: a hash of cluster, name and what the instance is
 * made of (class, user data, tags), 64 characters (ECS's limit). A retried create (a lost answer, a
 * crash) sends the same parameters and gets the first call's instance back; a create with other
 * parameters gets another token, never `IdempotentParameterMismatch`. ECS keeps answering a token
 * with its instance after the instance is gone, so a machine created again needs the next token in
 * the chain: `previous` is the gone instance of the last one.
 */
export function alicloudClientToken(
  request: CreateMachineRequest<AlicloudMachineClass>,
  previous?: string,
): string {
  const made = canonical({ spec: request.spec, userData: request.userData ?? '', tags: request.tags ?? {} });
  return deriveClientToken(['trellis', request.cluster, request.name, made, ...(previous ? [previous] : [])]);
}

/** The RunInstances request of a machine: one instance, named and tagged at creation. */
export function runInstancesRequest(
  request: CreateMachineRequest<AlicloudMachineClass>,
  spec: AlicloudMachineClass,
  clientToken: string,
): $Ecs.RunInstancesRequest {
  const tags = alicloudMachineTags(request.cluster, request.name, spec.tags, request.tags);
  return new $Ecs.RunInstancesRequest({
    regionId: spec.region,
    zoneId: spec.zoneID,
    imageId: spec.imageID,
    instanceType: spec.instanceType,
    vSwitchId: spec.vSwitchID,
    ...(spec.securityGroupID ? { securityGroupId: spec.securityGroupID } : {}),
    ...(spec.privateIPAddress ? { privateIpAddress: spec.privateIPAddress } : {}),
    instanceName: request.name,
    hostName: request.name,
    clientToken,
    amount: 1,
    keyPairName: spec.keyPairName,
    ...(spec.systemDisk
      ? {
          systemDisk: new $Ecs.RunInstancesRequestSystemDisk({
            category: spec.systemDisk.category,
            size: String(spec.systemDisk.size),
          }),
        }
      : {}),
    ...(spec.dataDisks?.length
      ? {
          dataDisk: spec.dataDisks.map(
            (disk) =>
              new $Ecs.RunInstancesRequestDataDisk({
                // Gardener's naming: `<machine>-<name>-data-disk`.
                diskName: `${request.name}-${disk.name}-data-disk`,
                category: disk.category,
                size: disk.size,
                ...(disk.encrypted === undefined ? {} : { encrypted: String(disk.encrypted) }),
                ...(disk.category === 'DiskEphemeralSSD'
                  ? {}
                  : { deleteWithInstance: disk.deleteWithInstance ?? true }),
                ...(disk.description ? { description: disk.description } : {}),
              }),
          ),
        }
      : {}),
    ...(spec.instanceChargeType ? { instanceChargeType: spec.instanceChargeType } : {}),
    ...(spec.internetChargeType ? { internetChargeType: spec.internetChargeType } : {}),
    ...(spec.internetMaxBandwidthIn === undefined
      ? {}
      : { internetMaxBandwidthIn: spec.internetMaxBandwidthIn }),
    ...(spec.internetMaxBandwidthOut === undefined
      ? {}
      : { internetMaxBandwidthOut: spec.internetMaxBandwidthOut }),
    ...(spec.spotStrategy ? { spotStrategy: spec.spotStrategy } : {}),
    ...(spec.IoOptimized ? { ioOptimized: spec.IoOptimized } : {}),
    ...(request.userData ? { userData: Buffer.from(request.userData).toString('base64') } : {}),
    tag: Object.entries(tags).map(([key, value]) => new $Ecs.RunInstancesRequestTag({ key, value })),
  });
}
