import { ArmFakeError } from './arm-errors.js';
import type { ArmFakeState, ArmResource } from './arm-fake-state.js';
import { idKey } from './arm-ids.js';

type Ref = { id?: string; properties?: { primary?: boolean; deleteOption?: string }; deleteOption?: string };
type DiskRef = {
  name?: string;
  lun?: number;
  createOption?: string;
  diskSizeGB?: number;
  deleteOption?: string;
  managedDisk?: { id?: string; storageAccountType?: string };
};

const NIC = 'microsoft.network/networkinterfaces';
const DISK = 'microsoft.compute/disks';
const VM = 'microsoft.compute/virtualmachines';
const SUBNET = 'microsoft.network/virtualnetworks/subnets';

const storageProfile = (vm: ArmResource) =>
  (vm.properties.storageProfile ?? {}) as { osDisk?: DiskRef; dataDisks?: DiskRef[] };
const nicRefs = (vm: ArmResource) =>
  ((vm.properties.networkProfile as { networkInterfaces?: Ref[] } | undefined)?.networkInterfaces ??
    []) as Ref[];
const groupOf = (id: string) => id.split('/').slice(0, 5).join('/');

/**
 * What ARM does around VMs, NICs, disks and subnets: a VM needs its NICs (one VM each), creates its
 * OS and empty data disks, attaches them and takes them along on delete when `deleteOption` says
 * `Delete`; a NIC attached to a VM, a disk attached to a VM and a subnet with NICs cannot be deleted.
 */
export function computeRules(state: ArmFakeState) {
  const get = (id: string) => state.resources.get(idKey(id))?.value;
  const update = (id: string, change: (resource: ArmResource) => ArmResource) =>
    state.resources.update(idKey(id), change);

  /** Checks and completes a VM PUT before it is stored; returns the disks to create with it. */
  function prepareVm(vm: ArmResource, existing: ArmResource | undefined): ArmResource[] {
    const refs = nicRefs(vm);
    if (refs.length === 0)
      throw new ArmFakeError(400, 'InvalidParameter', 'At least one network interface is required.');
    for (const ref of refs) {
      const nic = ref.id ? get(ref.id) : undefined;
      if (!nic) {
        throw new ArmFakeError(
          400,
          'InvalidResourceReference',
          `Resource ${ref.id ?? ''} referenced by resource ${vm.id} was not found.`,
        );
      }
      const owner = (nic.properties.virtualMachine as { id?: string } | undefined)?.id;
      if (owner && idKey(owner) !== idKey(vm.id)) {
        throw new ArmFakeError(
          400,
          'NicInUse',
          `Network Interface ${nic.id} is used by existing resource ${owner}.`,
        );
      }
    }
    const group = groupOf(vm.id);
    const made: ArmResource[] = [];
    const diskFor = (ref: DiskRef, os: boolean): DiskRef => {
      const name = ref.name ?? `${vm.name}_${os ? 'OsDisk' : `DataDisk_${ref.lun}`}`;
      const id = ref.managedDisk?.id ?? `${group}/providers/Microsoft.Compute/disks/${name}`;
      const found = get(id);
      if (ref.createOption === 'Attach') {
        if (!found) throw new ArmFakeError(404, 'NotFound', `Disk ${id} was not found.`);
        const managedBy = found.managedBy as string | undefined;
        if (managedBy && idKey(managedBy) !== idKey(vm.id)) {
          throw new ArmFakeError(409, 'OperationNotAllowed', `Disk ${name} is attached to VM ${managedBy}.`);
        }
      } else if (!found && !existing) {
        made.push({
          id,
          name,
          type: 'Microsoft.Compute/disks',
          location: vm.location,
          ...(vm.zones ? { zones: vm.zones } : {}),
          sku: { name: ref.managedDisk?.storageAccountType ?? 'Standard_LRS' },
          properties: {
            diskSizeGB: ref.diskSizeGB ?? 30,
            creationData: { createOption: ref.createOption ?? 'Empty' },
            provisioningState: 'Succeeded',
            diskState: 'Attached',
          },
        });
      }
      return { ...ref, name, managedDisk: { ...ref.managedDisk, id } };
    };
    const profile = storageProfile(vm);
    const osDisk = profile.osDisk
      ? diskFor({ createOption: 'FromImage', ...profile.osDisk }, true)
      : undefined;
    const dataDisks = (profile.dataDisks ?? []).map((disk) => diskFor(disk, false));
    vm.properties.storageProfile = { ...profile, ...(osDisk ? { osDisk } : {}), dataDisks };
    vm.properties.vmId ??= existing?.properties.vmId ?? crypto.randomUUID();
    vm.properties.timeCreated ??= existing?.properties.timeCreated ?? new Date().toISOString();
    return made;
  }

  /** Attaches a VM's NICs and disks (as its create starts). */
  function attach(vm: ArmResource): void {
    for (const ref of nicRefs(vm))
      update(ref.id!, (nic) => ({
        ...nic,
        properties: { ...nic.properties, virtualMachine: { id: vm.id } },
      }));
    const profile = storageProfile(vm);
    for (const disk of [profile.osDisk, ...(profile.dataDisks ?? [])]) {
      if (disk?.managedDisk?.id) update(disk.managedDisk.id, (found) => ({ ...found, managedBy: vm.id }));
    }
  }

  /** A deleted VM takes its `deleteOption: Delete` NICs and disks along and releases the others. */
  function cascade(vm: ArmResource): void {
    for (const ref of nicRefs(vm)) {
      const option = ref.properties?.deleteOption ?? ref.deleteOption;
      if (option === 'Delete') state.resources.delete(idKey(ref.id!));
      else
        update(ref.id!, (nic) => ({ ...nic, properties: { ...nic.properties, virtualMachine: undefined } }));
    }
    const profile = storageProfile(vm);
    for (const disk of [profile.osDisk, ...(profile.dataDisks ?? [])]) {
      const id = disk?.managedDisk?.id;
      if (!id) continue;
      if (disk.deleteOption === 'Delete') state.resources.delete(idKey(id));
      else
        update(id, (found) => ({
          ...found,
          managedBy: undefined,
          properties: { ...found.properties, diskState: 'Unattached' },
        }));
    }
  }

  /** Refuses the delete of what something still uses. */
  function checkDelete(resource: ArmResource): void {
    const type = resource.type.toLowerCase();
    if (type === NIC) {
      const owner = (resource.properties.virtualMachine as { id?: string } | undefined)?.id;
      if (owner) {
        throw new ArmFakeError(
          400,
          'NicInUse',
          `Network Interface ${resource.id} is used by existing resource ${owner}. In order to delete the network interface, it must be dissociated from the resource.`,
        );
      }
    }
    if (type === DISK && resource.managedBy) {
      throw new ArmFakeError(
        409,
        'OperationNotAllowed',
        `Disk ${resource.name} is attached to VM ${String(resource.managedBy)}.`,
      );
    }
    if (type === SUBNET) {
      const user = state.resources
        .list()
        .find(
          (entry) =>
            entry.value.type.toLowerCase() === NIC &&
            (
              (entry.value.properties.ipConfigurations as
                | Array<{ properties?: { subnet?: { id?: string } } }>
                | undefined) ?? []
            ).some((config) => idKey(config.properties?.subnet?.id ?? '') === idKey(resource.id)),
        );
      if (user) {
        throw new ArmFakeError(
          400,
          'InUseSubnetCannotBeDeleted',
          `Subnet ${resource.name} is in use by ${user.value.id} and cannot be deleted.`,
        );
      }
    }
  }

  /** Checks a NIC's subnet and gives each IP configuration an address inside it. */
  function prepareNic(nic: ArmResource, existing: ArmResource | undefined): void {
    const configs = (nic.properties.ipConfigurations ?? []) as Array<
      Record<string, unknown> & { properties?: Record<string, unknown> }
    >;
    if (configs.length === 0)
      throw new ArmFakeError(400, 'InvalidParameter', 'A network interface needs an IP configuration.');
    const previous = (existing?.properties.ipConfigurations ?? []) as typeof configs;
    nic.properties.ipConfigurations = configs.map((config, index) => {
      const subnetId = (config.properties?.subnet as { id?: string } | undefined)?.id;
      const subnet = subnetId ? get(subnetId) : undefined;
      if (!subnet) {
        throw new ArmFakeError(
          400,
          'InvalidResourceReference',
          `Resource ${subnetId ?? ''} referenced by resource ${nic.id} was not found.`,
        );
      }
      const name = String(config.name ?? `ipconfig${index + 1}`);
      return {
        ...config,
        name,
        id: `${nic.id}/ipConfigurations/${name}`,
        properties: {
          ...config.properties,
          privateIPAddress:
            (previous[index]?.properties?.privateIPAddress as string | undefined) ??
            state.nextAddress(subnet.properties.addressPrefix as string | undefined),
          privateIPAllocationMethod: config.properties?.privateIPAllocationMethod ?? 'Dynamic',
          primary: index === 0,
          provisioningState: 'Succeeded',
        },
      };
    });
    if (existing?.properties.virtualMachine)
      nic.properties.virtualMachine = existing.properties.virtualMachine;
    nic.properties.macAddress ??= existing?.properties.macAddress ?? '00-0D-3A-00-00-01';
  }

  return { prepareVm, attach, cascade, checkDelete, prepareNic, VM, NIC, DISK };
}
