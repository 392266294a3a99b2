import type { DescribeInstancesResponseBodyInstancesInstance } from '@alicloud/ecs20140526';
import {
  CLUSTER_TAG_PREFIX,
  formatProviderId,
  type Machine,
  type MachinePhase,
  machineTags,
  NAME_TAG,
} from '@trellis/core';
import { sanitizeAlicloudTag } from '@trellis/provider-kit';

/** An instance as the SDK answers DescribeInstances. */
export type EcsInstance = DescribeInstancesResponseBodyInstancesInstance;

/** ECS allows 20 tags per instance. */
export const ALICLOUD_MAX_TAGS = 20;

const PHASES: Readonly<Record<string, MachinePhase>> = {
  Pending: 'Pending',
  Starting: 'Pending',
  Running: 'Running',
  Stopping: 'Stopping',
  Stopped: 'Stopped',
};

/**
 * The tags of a machine: the class's (Gardener's role keys), the request's, then core's ownership
 * tags, which win — all legal on ECS as they are (reserved prefixes made legal). The machine's
 * cluster is the request's: a `kubernetes.io/cluster/<id>` key of the class (Gardener writes its
 * technical id there) gives way to it, so no instance ever carries two clusters' ownership (the
 * other cluster would list it, and its orphan collection delete it).
 */
export function alicloudMachineTags(
  cluster: string,
  name: string,
  ...extra: Array<Readonly<Record<string, string>> | undefined>
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const tags of extra) {
    for (const [key, value] of Object.entries(tags ?? {})) {
      if (key.startsWith(CLUSTER_TAG_PREFIX)) continue;
      merged[sanitizeAlicloudTag(key)] = sanitizeAlicloudTag(value);
    }
  }
  return machineTags(cluster, name, merged);
}

/** The tags of an instance as a record. */
export function instanceTags(instance: EcsInstance): Record<string, string> {
  return Object.fromEntries((instance.tags?.tag ?? []).map((tag) => [tag.tagKey ?? '', tag.tagValue ?? '']));
}

/** The cluster an instance belongs to, by its ownership tag. */
export function clusterOf(instance: EcsInstance): string | undefined {
  const key = Object.keys(instanceTags(instance)).find((tag) => tag.startsWith(CLUSTER_TAG_PREFIX));
  return key?.slice(CLUSTER_TAG_PREFIX.length);
}

/** An instance as a core `Machine` (provider id `<region>.<instance id>`, as MCM and the Node both use). */
export function toMachine(instance: EcsInstance, region: string): Machine {
  const tags = instanceTags(instance);
  const providerId = formatProviderId({
    provider: 'alicloud',
    region,
    instanceId: instance.instanceId ?? '',
  });
  const addresses: Machine['addresses'] = [
    ...(instance.vpcAttributes?.privateIpAddress?.ipAddress ?? []).map((address) => ({
      type: 'InternalIP' as const,
      address,
    })),
    ...(instance.publicIpAddress?.ipAddress ?? []).map((address) => ({
      type: 'ExternalIP' as const,
      address,
    })),
    ...(instance.hostName ? [{ type: 'Hostname' as const, address: instance.hostName }] : []),
  ];
  return {
    name: instance.instanceName ?? tags[NAME_TAG] ?? '',
    cluster: clusterOf(instance) ?? '',
    providerId,
    nodeProviderId: providerId,
    phase: PHASES[instance.status ?? ''] ?? 'Unknown',
    addresses,
    ...(instance.zoneId ? { zone: instance.zoneId } : {}),
    machineType: instance.instanceType ?? '',
    tags,
    createdAt: new Date(instance.creationTime ?? 0),
  };
}
