import type { AzureMachineClass } from './azure-machine-class.js';

/** MCM's names of what a machine is made of (`pkg/azure/utils/names.go`). */
export const azureNames = {
  nic: (machine: string) => `${machine}-nic`,
  osDisk: (machine: string) => `${machine}-os-disk`,
  dataDisk: (machine: string, lun: number, name?: string) =>
    name ? `${machine}-${name}-${lun}-data-disk` : `${machine}-${lun}-data-disk`,
};

/** The names of every disk the machine class gives a machine (OS first). */
export function diskNames(machine: string, spec: AzureMachineClass): string[] {
  return [
    azureNames.osDisk(machine),
    ...(spec.properties.storageProfile.dataDisks ?? []).map((disk) =>
      azureNames.dataDisk(machine, disk.lun, disk.name),
    ),
  ];
}

/** The machine a NIC or disk name belongs to (MCM's `resultEntry` logic), or undefined. */
export function machineOfResourceName(name: string): string | undefined {
  const match = /^(.+?)(?:-nic|-os-disk|(?:-[A-Za-z0-9][\w.-]*)?-\d+-data-disk)$/.exec(name);
  return match?.[1];
}

/** The ARM id of a resource in a resource group. */
export function resourceId(subscription: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
}
