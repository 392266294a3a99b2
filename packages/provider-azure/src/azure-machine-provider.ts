import type { Disk, VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface } from '@azure/arm-network';
import {
  type CallOptions,
  type CreateMachineRequest,
  callSignal,
  checkDns1123Label,
  type FieldIssue,
  invalidArgument,
  type Machine,
  type MachineFilter,
  type MachineProvider,
  type MachineRef,
  machineNameIssues,
  notFound,
  parseProviderId,
  TrellisError,
} from '@trellis/core';
import {
  AZURE_CLUSTER_TAG_PREFIX,
  encodeAzureOwnership,
  KeyedBatcher,
  sanitizeAzureTagName,
} from '@trellis/provider-kit';
import { type AzureMachineClass, validateAzureMachineSpec } from './azure-machine-class.js';
import { azureNames, diskNames, machineOfResourceName } from './azure-machine-names.js';
import { imageReferenceOf, nicBody, throwAwayKey, vmBody } from './azure-machine-request.js';
import { machineResources } from './azure-machine-resources.js';
import { type AzureMachineParts, toMachine } from './azure-machine-view.js';
import type { AzureProviderContext } from './azure-settings.js';

const PROVIDER = 'azure';
/** Azure's limit for `osProfile.customData` (base64 of the user data). */
export const AZURE_MAX_CUSTOM_DATA_CHARS = 65_535;
/** More concurrent lookups than this in one batch read the cluster's three lists instead of GETs. */
const LIST_THRESHOLD = 3;

/**
 * The Azure machine provider, as machine-controller-manager-provider-azure: a NIC `<machine>-nic`,
 * image-backed data disks, then the VM with `deleteOption: Delete` on NIC and disks, each a
 * long-running operation; delete sweeps the NIC and disks by name also when the VM is gone;
 * lookups of many machines read three paged lists (VMs, NICs, disks) of the resource group.
 */
export function createAzureMachineProvider(
  context: AzureProviderContext,
): MachineProvider<AzureMachineClass> {
  const { subscriptionId, location, logger } = context;
  const resources = machineResources(context);
  const validateSpec = (spec: unknown) => validateAzureMachineSpec(spec, location);
  const owns = (tags: Record<string, string> | undefined, cluster: string) =>
    Object.hasOwn(tags ?? {}, `${AZURE_CLUSTER_TAG_PREFIX}${cluster}`);

  function checkRef(ref: MachineRef, operation: string): void {
    const issues = machineNameIssues(ref.cluster, ref.name);
    if (ref.providerId) {
      const node =
        /^azure:\/\/\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(
          ref.providerId,
        );
      const vmName = node
        ? node[1]
        : (() => {
            const id = parseProviderId(ref.providerId!);
            return id.provider === 'azure' ? id.vmName : undefined;
          })();
      if (vmName !== ref.name)
        issues.push({ path: 'providerId', message: `${ref.providerId} is not machine ${ref.name}` });
    }
    if (issues.length > 0)
      throw invalidArgument('invalid machine reference', issues, { provider: PROVIDER, operation });
  }

  /** The cluster's machines from three lists: VMs, and the NICs and disks that name a machine. */
  async function clusterParts(
    cluster: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<Map<string, AzureMachineParts>> {
    const group = context.resourceGroupOf(cluster);
    const [vms, nics, disks] = await Promise.all([
      resources.listVms(group, operation, signal),
      resources.listNics(group, operation, signal),
      resources.listDisks(group, operation, signal),
    ]).catch((error: unknown) => {
      if (TrellisError.hasCode(error, 'NotFound'))
        return [[], [], []] as [VirtualMachine[], NetworkInterface[], Disk[]];
      throw error;
    });
    const parts = new Map<
      string,
      { name: string; vm?: VirtualMachine; nic?: NetworkInterface; disks: string[] }
    >();
    const entry = (name: string) => {
      if (!parts.has(name)) parts.set(name, { name, disks: [] });
      return parts.get(name)!;
    };
    for (const vm of vms) if (owns(vm.tags, cluster)) entry(vm.name!).vm = vm;
    for (const nic of nics) {
      const machine = machineOfResourceName(nic.name ?? '');
      if (machine && owns(nic.tags, cluster)) entry(machine).nic = nic;
    }
    for (const disk of disks) {
      const machine = machineOfResourceName(disk.name ?? '');
      // Disks a VM made carry no tags: they belong to a machine of the cluster found above.
      if (machine && (owns(disk.tags, cluster) || parts.has(machine))) entry(machine).disks.push(disk.name!);
    }
    return parts;
  }

  /** One machine by direct GETs: its VM, else what is left of it (NIC, OS disk). */
  async function machineParts(
    cluster: string,
    name: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<AzureMachineParts | undefined> {
    const group = context.resourceGroupOf(cluster);
    const [vm, nic] = await Promise.all([
      resources.getVm(group, name, operation, signal),
      resources.getNic(group, azureNames.nic(name), operation, signal),
    ]);
    if (vm && !owns(vm.tags, cluster)) return undefined;
    const disk = vm ? undefined : await resources.getDisk(group, azureNames.osDisk(name), operation, signal);
    if (!vm && !(nic && owns(nic.tags, cluster)) && !(disk && owns(disk.tags, cluster))) return undefined;
    return {
      name,
      ...(vm ? { vm } : {}),
      ...(nic && owns(nic.tags, cluster) ? { nic } : {}),
      disks: disk?.name ? [disk.name] : [],
    };
  }

  // Concurrent lookups of one cluster share its three lists; a lone lookup GETs.
  const lookups = new KeyedBatcher<string, AzureMachineParts>({
    windowMs: 10,
    maxKeys: 1000,
    fetch: async (keys) => {
      const result = new Map<string, AzureMachineParts>();
      const byCluster = new Map<string, string[]>();
      for (const key of keys) {
        const [cluster, name] = key.split('\u0000') as [string, string];
        byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), name]);
      }
      await Promise.all(
        [...byCluster].map(async ([cluster, names]) => {
          if (names.length <= LIST_THRESHOLD) {
            for (const name of names) {
              const parts = await machineParts(cluster, name, 'getMachine');
              if (parts) result.set(`${cluster}\u0000${name}`, parts);
            }
            return;
          }
          for (const [name, parts] of await clusterParts(cluster, 'getMachine'))
            result.set(`${cluster}\u0000${name}`, parts);
        }),
      );
      return result;
    },
  });

  const machineOf = (parts: AzureMachineParts, cluster: string) =>
    toMachine(parts, subscriptionId, context.resourceGroupOf(cluster), location);

  /** Deletes the VM, then always the NIC and every disk of the machine by name (MCM #850 left them). */
  async function sweep(
    cluster: string,
    name: string,
    disks: readonly string[],
    operation: string,
    signal?: AbortSignal,
  ) {
    const group = context.resourceGroupOf(cluster);
    await resources.deleteVm(group, name, operation, signal);
    await Promise.all([
      resources.deleteNic(group, azureNames.nic(name), operation, signal),
      ...[...new Set(disks)].map((disk) => resources.deleteDisk(group, disk, operation, signal)),
    ]);
  }

  function checkCreate(
    request: CreateMachineRequest<AzureMachineClass>,
    spec: AzureMachineClass,
    operation: string,
  ) {
    const issues: FieldIssue[] = [];
    const group = context.resourceGroupOf(request.cluster);
    if (spec.resourceGroup !== undefined && spec.resourceGroup !== group) {
      issues.push({
        path: 'spec.resourceGroup',
        message: `must be ${group}, the resource group of cluster ${request.cluster}'s machines`,
      });
    }
    if (
      request.userData !== undefined &&
      Buffer.byteLength(request.userData) * (4 / 3) > AZURE_MAX_CUSTOM_DATA_CHARS
    ) {
      issues.push({
        path: 'userData',
        message: `must be at most ${AZURE_MAX_CUSTOM_DATA_CHARS} characters in base64 (Azure's customData limit)`,
      });
    }
    if (issues.length > 0)
      throw invalidArgument('invalid machine', issues, { provider: PROVIDER, operation });
  }

  async function createMachine(
    request: CreateMachineRequest<AzureMachineClass>,
    options?: CallOptions,
  ): Promise<Machine> {
    const operation = 'createMachine';
    checkRef(request, operation);
    const spec = validateSpec(request.spec);
    checkCreate(request, spec, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const { cluster, name } = request;
    const group = context.resourceGroupOf(cluster);
    const existing = await resources.getVm(group, name, operation, signal);
    if (existing) {
      if (!owns(existing.tags, cluster)) {
        throw new TrellisError({
          code: 'AlreadyExists',
          provider: PROVIDER,
          operation,
          message: `a VM ${name} exists in ${group} but is not cluster ${cluster}'s`,
        });
      }
      if (existing.provisioningState !== 'Failed') {
        const nic = await resources.getNic(group, azureNames.nic(name), operation, signal);
        return machineOf({ name, vm: existing, ...(nic ? { nic } : {}), disks: [] }, cluster);
      }
    }
    const { subnetInfo } = spec;
    const subnet = await resources.getSubnet(
      subnetInfo.vnetResourceGroup ?? group,
      subnetInfo.vnetName,
      subnetInfo.subnetName,
      operation,
      signal,
    );
    if (!subnet) {
      throw invalidArgument(
        'invalid machine',
        [
          {
            path: 'spec.subnetInfo.subnetName',
            message: `subnet ${subnetInfo.subnetName} of ${subnetInfo.vnetName} does not exist`,
          },
        ],
        { provider: PROVIDER, operation },
      );
    }
    // The class's own cluster tag (a class may serve several clusters) gives way to the machine's.
    const classTags = Object.fromEntries(
      Object.entries(spec.tags).filter(([key]) => !key.startsWith(AZURE_CLUSTER_TAG_PREFIX)),
    );
    const tags = encodeAzureOwnership({ cluster, name }, { ...classTags, ...request.tags });
    const nicName = azureNames.nic(name);
    const foundNic = await resources.getNic(group, nicName, operation, signal);
    if (foundNic && !owns(foundNic.tags, cluster)) {
      throw new TrellisError({
        code: 'AlreadyExists',
        provider: PROVIDER,
        operation,
        message: `a NIC ${nicName} exists in ${group} but is not cluster ${cluster}'s`,
      });
    }
    const imageDisks = (spec.properties.storageProfile.dataDisks ?? []).filter((disk) => disk.imageRef);
    try {
      await Promise.all([
        foundNic
          ? undefined
          : resources.putNic(
              group,
              nicName,
              nicBody(subscriptionId, group, name, spec, tags),
              operation,
              signal,
            ),
        ...imageDisks.map((disk) =>
          resources.putDisk(
            group,
            azureNames.dataDisk(name, disk.lun, disk.name),
            {
              location: spec.location,
              tags,
              ...(spec.properties.zone === undefined ? {} : { zones: [String(spec.properties.zone)] }),
              sku: { name: disk.storageAccountType },
              diskSizeGB: disk.diskSizeGB,
              creationData: { createOption: 'FromImage', imageReference: imageReferenceOf(disk.imageRef!) },
            } as Disk,
            operation,
            signal,
          ),
        ),
      ]);
      const body = vmBody({
        subscription: subscriptionId,
        group,
        name,
        spec,
        tags,
        userData: request.userData,
        imageDisks: new Set(imageDisks.map((disk) => disk.lun)),
        fallbackKey: spec.properties.osProfile.linuxConfiguration?.ssh?.publicKeys?.keyData
          ? ''
          : await throwAwayKey(),
      });
      await resources.putVm(group, name, body, operation, signal);
    } catch (error) {
      if (TrellisError.hasCode(error, 'ResourceExhausted')) {
        // No capacity: leave nothing behind (the failed VM, its NIC and disks), as provider-azure #205 does.
        await sweep(cluster, name, diskNames(name, spec), operation).catch((cleanup: unknown) =>
          logger.warn(
            { provider: PROVIDER, cluster, machine: name, error: String(cleanup) },
            'cleanup after a failed create failed',
          ),
        );
      }
      throw error;
    }
    const [vm, nic] = await Promise.all([
      resources.getVm(group, name, operation, signal),
      resources.getNic(group, nicName, operation, signal),
    ]);
    if (!vm) throw notFound(`VM ${name} vanished after its create`, { provider: PROVIDER, operation });
    logger.info({ provider: PROVIDER, cluster, machine: name, resourceGroup: group }, 'machine created');
    return machineOf({ name, vm, ...(nic ? { nic } : {}), disks: [] }, cluster);
  }

  async function getMachine(ref: MachineRef, options?: CallOptions): Promise<Machine> {
    const operation = 'getMachine';
    checkRef(ref, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const parts = await lookups.get(`${ref.cluster}\u0000${ref.name}`, signal);
    if (!parts)
      throw notFound(`machine ${ref.cluster}/${ref.name} does not exist`, { provider: PROVIDER, operation });
    return machineOf(parts, ref.cluster);
  }

  async function deleteMachine(ref: MachineRef, options?: CallOptions): Promise<void> {
    const operation = 'deleteMachine';
    checkRef(ref, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const parts = await machineParts(ref.cluster, ref.name, operation, signal);
    if (!parts) return;
    // The VM names its disks; without it, the NIC-less leftovers are found by name.
    const profile = parts.vm?.storageProfile;
    const disks = [
      ...parts.disks,
      ...(profile?.osDisk?.name ? [profile.osDisk.name] : [azureNames.osDisk(ref.name)]),
      ...(profile?.dataDisks ?? []).map((disk) => disk.name!).filter(Boolean),
    ];
    if (!parts.vm) {
      const listed = await clusterParts(ref.cluster, operation, signal);
      disks.push(...(listed.get(ref.name)?.disks ?? []));
    }
    await sweep(ref.cluster, ref.name, disks, operation, signal);
    logger.info({ provider: PROVIDER, cluster: ref.cluster, machine: ref.name }, 'machine deleted');
  }

  async function* listMachines(filter: MachineFilter, options?: CallOptions): AsyncIterable<Machine> {
    const operation = 'listMachines';
    const issue = checkDns1123Label(filter.cluster, 'cluster');
    if (issue) throw invalidArgument('invalid machine filter', [issue], { provider: PROVIDER, operation });
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const wanted = Object.entries(filter.tags ?? {});
    for (const parts of (await clusterParts(filter.cluster, operation, signal)).values()) {
      const machine = machineOf(parts, filter.cluster);
      if (machine.phase === 'Terminated' && !filter.includeTerminated) continue;
      const tags = (parts.vm?.tags ?? parts.nic?.tags ?? {}) as Record<string, string>;
      if (
        wanted.every(
          ([key, value]) => machine.tags[key] === value || tags[sanitizeAzureTagName(key)] === value,
        )
      )
        yield machine;
    }
  }

  return {
    specificationVersion: 'v1',
    provider: PROVIDER,
    validateSpec,
    createMachine,
    deleteMachine,
    getMachine,
    listMachines,
  };
}
