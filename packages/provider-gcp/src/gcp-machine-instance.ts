import type { protos } from '@google-cloud/compute';
import {
  formatNodeProviderId,
  formatProviderId,
  type Machine,
  type MachineAddress,
  type MachinePhase,
} from '@trellis/core';
import { decodeGceOwnership, GCE_CLUSTER_LABEL } from '@trellis/provider-kit';

type Instance = protos.google.cloud.compute.v1.IInstance;

const PHASES: Record<string, MachinePhase> = {
  PROVISIONING: 'Pending',
  STAGING: 'Pending',
  RUNNING: 'Running',
  STOPPING: 'Stopping',
  SUSPENDING: 'Stopping',
  SUSPENDED: 'Stopped',
  TERMINATED: 'Stopped',
  REPAIRING: 'Unknown',
};

/** The last segment of a GCE resource URL (`.../zones/europe-west1-b` → `europe-west1-b`). */
export const basename = (link: string | null | undefined) => (link ?? '').split('/').at(-1) ?? '';

/** The cluster an instance belongs to, by its ownership label. */
export const clusterOf = (instance: Instance) => instance.labels?.[GCE_CLUSTER_LABEL];

/** A GCE instance as a Trellis machine: Gardener's provider id, the Node's, and core's logical tags. */
export function toMachine(instance: Instance, project: string): Machine {
  const zone = basename(instance.zone);
  const name = instance.name ?? '';
  const id = { provider: 'gcp', project, zone, name } as const;
  const addresses: MachineAddress[] = [];
  for (const networkInterface of instance.networkInterfaces ?? []) {
    if (networkInterface.networkIP)
      addresses.push({ type: 'InternalIP', address: networkInterface.networkIP });
    for (const access of networkInterface.accessConfigs ?? []) {
      if (access.natIP) addresses.push({ type: 'ExternalIP', address: access.natIP });
    }
  }
  addresses.push({ type: 'Hostname', address: `${name}.${zone}.c.${project}.internal` });
  return {
    name,
    cluster: clusterOf(instance) ?? '',
    providerId: formatProviderId(id),
    nodeProviderId: formatNodeProviderId(id)!,
    phase: PHASES[String(instance.status)] ?? 'Unknown',
    addresses,
    zone,
    machineType: basename(instance.machineType),
    tags: decodeGceOwnership({
      labels: instance.labels as Record<string, string> | undefined,
      networkTags: instance.tags?.items ?? [],
    }),
    createdAt: new Date(instance.creationTimestamp ?? 0),
  };
}
