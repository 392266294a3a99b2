import type { Filter, Instance, Tag } from '@aws-sdk/client-ec2';
import {
  CLUSTER_TAG_PREFIX,
  formatProviderId,
  type Machine,
  type MachineAddress,
  type MachinePhase,
  NAME_TAG,
  NODE_ROLE_TAG,
} from '@trellis/core';

/** EC2 instance states in which an instance counts as the machine's VM. */
export const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'] as const;

const PHASES: Record<string, MachinePhase> = {
  pending: 'Pending',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
  'shutting-down': 'Terminating',
  terminated: 'Terminated',
};

/** The machine phase of an EC2 instance state name. */
export function phaseOf(state: string | undefined): MachinePhase {
  return (state && PHASES[state]) || 'Unknown';
}

/** Tags as a record. */
export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

/** A record as EC2 tags. */
export function toTags(record: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * DescribeInstances filters that select a cluster's machines: the cluster and node-role tags,
 * optionally machine names, extra tags and states.
 */
export function ownershipFilters(options: {
  cluster: string;
  names?: readonly string[];
  tags?: Readonly<Record<string, string>>;
  states?: readonly string[];
}): Filter[] {
  const filters: Filter[] = [
    { Name: `tag:${CLUSTER_TAG_PREFIX}${options.cluster}`, Values: ['1'] },
    { Name: `tag:${NODE_ROLE_TAG}`, Values: ['1'] },
  ];
  if (options.names) filters.push({ Name: `tag:${NAME_TAG}`, Values: [...options.names] });
  for (const [key, value] of Object.entries(options.tags ?? {}))
    filters.push({ Name: `tag:${key}`, Values: [value] });
  if (options.states) filters.push({ Name: 'instance-state-name', Values: [...options.states] });
  return filters;
}

function addressesOf(instance: Instance): MachineAddress[] {
  const addresses: MachineAddress[] = [];
  const add = (type: MachineAddress['type'], address: string | undefined) => {
    if (address && !addresses.some((known) => known.type === type && known.address === address)) {
      addresses.push({ type, address });
    }
  };
  add('InternalIP', instance.PrivateIpAddress);
  for (const networkInterface of instance.NetworkInterfaces ?? []) {
    for (const address of networkInterface.PrivateIpAddresses ?? [])
      add('InternalIP', address.PrivateIpAddress);
    for (const address of networkInterface.Ipv6Addresses ?? []) add('InternalIP', address.Ipv6Address);
  }
  add('ExternalIP', instance.PublicIpAddress);
  add('Hostname', instance.PrivateDnsName);
  add('InternalDNS', instance.PrivateDnsName);
  add('ExternalDNS', instance.PublicDnsName);
  return addresses;
}

/** The Trellis machine of an EC2 instance. */
export function toMachine(instance: Instance, context: { cluster: string; region: string }): Machine {
  const tags = tagRecord(instance.Tags);
  const zone = instance.Placement?.AvailabilityZone;
  return {
    name: tags[NAME_TAG] ?? '',
    cluster: context.cluster,
    providerId: formatProviderId({
      provider: 'aws',
      zone: zone || context.region,
      instanceId: instance.InstanceId!,
    }),
    phase: phaseOf(instance.State?.Name),
    addresses: addressesOf(instance),
    ...(zone ? { zone } : {}),
    machineType: instance.InstanceType ?? '',
    tags,
    createdAt: instance.LaunchTime ?? new Date(0),
  };
}

/** The cluster named by an instance's `kubernetes.io/cluster/<cluster>` tag. */
export function clusterOf(instance: Instance): string | undefined {
  const key = instance.Tags?.find((tag) => tag.Key?.startsWith(CLUSTER_TAG_PREFIX))?.Key;
  return key?.slice(CLUSTER_TAG_PREFIX.length);
}
