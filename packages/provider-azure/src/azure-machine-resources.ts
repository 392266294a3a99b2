import type { Disk, VirtualMachine } from '@azure/arm-compute';
import { restorePoller as restoreComputePoller } from '@azure/arm-compute';
import type { NetworkInterface } from '@azure/arm-network';
import { restorePoller as restoreNetworkPoller } from '@azure/arm-network';
import { computeClient, networkClient } from './azure-arm-clients.js';
import { orUndefined } from './azure-errors.js';
import { runLro } from './azure-lro.js';
import type { AzureProviderContext } from './azure-settings.js';

/** Reads and deletes of a machine's VM, NIC and disks through the rate-limited API. */
export function machineResources(context: AzureProviderContext) {
  const { api } = context;
  const compute = () => computeClient(context);
  const network = () => networkClient(context);
  const call = <T>(action: string, send: () => Promise<T>, operation: string, signal?: AbortSignal) =>
    api.call(action, send, { operation, signal });

  /**
   * Every item of a paged list, one rate-limited call per page. A page is fetched by a fresh
   * iterator from its continuation token: an SDK page iterator that failed once is finished, so
   * retrying it would end the list early without a word.
   */
  async function listAll<T>(
    action: string,
    pages: (continuationToken?: string) => AsyncIterableIterator<T[] & { continuationToken?: string }>,
    operation: string,
    signal?: AbortSignal,
  ) {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await call(action, () => pages(token).next(), operation, signal);
      if (page.done) break;
      items.push(...page.value);
      token = page.value.continuationToken;
    } while (token);
    return items;
  }

  return {
    getVm: (group: string, name: string, operation: string, signal?: AbortSignal) =>
      orUndefined(
        call(
          'virtualMachines.get',
          () => compute().virtualMachines.get(group, name, { abortSignal: signal }),
          operation,
          signal,
        ),
      ),
    getNic: (group: string, name: string, operation: string, signal?: AbortSignal) =>
      orUndefined(
        call(
          'networkInterfaces.get',
          () => network().networkInterfaces.get(group, name, { abortSignal: signal }),
          operation,
          signal,
        ),
      ),
    getDisk: (group: string, name: string, operation: string, signal?: AbortSignal) =>
      orUndefined(
        call('disks.get', () => compute().disks.get(group, name, { abortSignal: signal }), operation, signal),
      ),
    getSubnet: (group: string, vnet: string, subnet: string, operation: string, signal?: AbortSignal) =>
      orUndefined(
        call(
          'subnets.get',
          () => network().subnets.get(group, vnet, subnet, { abortSignal: signal }),
          operation,
          signal,
        ),
      ),
    listVms: (group: string, operation: string, signal?: AbortSignal) =>
      listAll<VirtualMachine>(
        'virtualMachines.list',
        (continuationToken) => compute().virtualMachines.list(group).byPage({ continuationToken }),
        operation,
        signal,
      ),
    listNics: (group: string, operation: string, signal?: AbortSignal) =>
      listAll<NetworkInterface>(
        'networkInterfaces.list',
        (continuationToken) => network().networkInterfaces.list(group).byPage({ continuationToken }),
        operation,
        signal,
      ),
    listDisks: (group: string, operation: string, signal?: AbortSignal) =>
      listAll<Disk>(
        'disks.listByResourceGroup',
        (continuationToken) => compute().disks.listByResourceGroup(group).byPage({ continuationToken }),
        operation,
        signal,
      ),
    putNic: (group: string, name: string, body: NetworkInterface, operation: string, signal?: AbortSignal) =>
      runLro(
        context,
        'networkInterfaces.createOrUpdate',
        () => network().networkInterfaces.createOrUpdate(group, name, body, { abortSignal: signal }),
        (state) => restoreNetworkPoller(network(), state, network().networkInterfaces.createOrUpdate),
        { operation, signal },
      ),
    putDisk: (group: string, name: string, body: Disk, operation: string, signal?: AbortSignal) =>
      runLro(
        context,
        'disks.createOrUpdate',
        () => compute().disks.createOrUpdate(group, name, body, { abortSignal: signal }),
        (state) => restoreComputePoller(compute(), state, compute().disks.createOrUpdate),
        { operation, signal },
      ),
    putVm: (group: string, name: string, body: VirtualMachine, operation: string, signal?: AbortSignal) =>
      runLro(
        context,
        'virtualMachines.createOrUpdate',
        () => compute().virtualMachines.createOrUpdate(group, name, body, { abortSignal: signal }),
        (state) => restoreComputePoller(compute(), state, compute().virtualMachines.createOrUpdate),
        { operation, signal },
      ),
    /** Deletes; a missing one is success (ARM answers 204). */
    deleteVm: (group: string, name: string, operation: string, signal?: AbortSignal) =>
      runLro(
        context,
        'virtualMachines.delete',
        () => compute().virtualMachines.delete(group, name, { abortSignal: signal }),
        (state) => restoreComputePoller(compute(), state, compute().virtualMachines.delete),
        { operation, signal },
      ),
    deleteNic: (group: string, name: string, operation: string, signal?: AbortSignal) =>
      runLro(
        context,
        'networkInterfaces.delete',
        () => network().networkInterfaces.delete(group, name, { abortSignal: signal }),
        (state) => restoreNetworkPoller(network(), state, network().networkInterfaces.delete),
        { operation, signal },
      ),
    deleteDisk: (group: string, name: string, operation: string, signal?: AbortSignal) =>
      runLro(
        context,
        'disks.delete',
        () => compute().disks.delete(group, name, { abortSignal: signal }),
        (state) => restoreComputePoller(compute(), state, compute().disks.delete),
        { operation, signal },
      ),
  };
}

export type MachineResources = ReturnType<typeof machineResources>;
