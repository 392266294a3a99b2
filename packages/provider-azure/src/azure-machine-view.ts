import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface } from '@azure/arm-network';
import { formatProviderId, type Machine, type MachineAddress, type MachinePhase } from '@trellis/core';
import { AZURE_CLUSTER_TAG_PREFIX, decodeAzureOwnership } from '@trellis/provider-kit';

const PHASES: Record<string, MachinePhase> = {
  Creating: 'Pending',
  Updating: 'Running',
  Succeeded: 'Running',
  Deleting: 'Terminating',
  Failed: 'Unknown',
  Canceled: 'Unknown',
};

/** The cluster a resource's tags name (`kubernetes.io-cluster-<cluster>`), or undefined. */
export function clusterOfTags(tags: Readonly<Record<string, string>> | undefined): string | undefined {
  const key = Object.keys(tags ?? {}).find((candidate) => candidate.startsWith(AZURE_CLUSTER_TAG_PREFIX));
  return key?.slice(AZURE_CLUSTER_TAG_PREFIX.length);
}

/** The Node form of a VM's provider id (what cloud-provider-azure writes into `spec.providerID`). */
export function azureNodeProviderId(subscription: string, resourceGroup: string, vm: string): string {
  return `azure:///subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vm}`;
}

/** What is known of one machine: its VM, and its NIC and disks (which may outlive the VM). */
export interface AzureMachineParts {
  readonly name: string;
  readonly vm?: VirtualMachine;
  readonly nic?: NetworkInterface;
  /** Names of the machine's disks that exist. */
  readonly disks: readonly string[];
}

/**
 * A machine as Trellis reports it: MCM's provider id `azure:///<location>/<vm>`, the Node's form,
 * core's logical tags. Without a VM (its NIC or disks left behind) it is `Terminated`, so a delete
 * cleans them up.
 */
export function toMachine(
  parts: AzureMachineParts,
  subscription: string,
  resourceGroup: string,
  location: string,
): Machine {
  const { vm, nic, name } = parts;
  const tags = (vm?.tags ?? nic?.tags ?? {}) as Record<string, string>;
  const addresses: MachineAddress[] = [];
  for (const config of nic?.ipConfigurations ?? []) {
    if (config.privateIPAddress) addresses.push({ type: 'InternalIP', address: config.privateIPAddress });
  }
  if (vm) addresses.push({ type: 'Hostname', address: name });
  return {
    name,
    cluster: clusterOfTags(tags) ?? '',
    providerId: formatProviderId({ provider: 'azure', location: vm?.location ?? location, vmName: name }),
    nodeProviderId: azureNodeProviderId(subscription, resourceGroup, name),
    phase: vm ? (PHASES[String(vm.provisioningState)] ?? 'Unknown') : 'Terminated',
    addresses,
    ...(vm?.zones?.[0] ? { zone: `${vm.location}-${vm.zones[0]}` } : {}),
    machineType: vm?.hardwareProfile?.vmSize ?? '',
    tags: decodeAzureOwnership(tags),
    createdAt: vm?.timeCreated ? new Date(vm.timeCreated) : new Date(0),
  };
}
