import { randomBytes } from 'node:crypto';
import {
  type CallOptions,
  CLUSTER_TAG_PREFIX,
  type CreateMachineRequest,
  callSignal,
  checkDns1123Label,
  defineConfigSchema,
  type FieldIssue,
  formatProviderId,
  invalidArgument,
  type Machine,
  type MachineFilter,
  type MachineProvider,
  type MachineRef,
  machineTags,
  NAME_TAG,
  notFound,
  TrellisError,
  throwIfAborted,
  z,
} from '@trellis/core';

/** The machine class spec of the in-memory provider. */
export const memoryMachineSpecSchema = defineConfigSchema(
  'memory machine class',
  z.object({
    /** Machine type reported on the machine. */
    machineType: z.string().min(1),
    /** Zone the machine is placed in. */
    zone: z.string().min(1),
    /** Root volume size. @default 10 */
    rootVolumeSizeGiB: z.number().int().positive().default(10),
  }),
  { provider: 'memory' },
);

/** The machine class spec of the in-memory provider. */
export type MemoryMachineSpec = z.input<typeof memoryMachineSpecSchema.schema>;

/** Which Gardener provider id format the in-memory machines use. */
export type MemoryProviderIdFormat = 'local' | 'aws' | 'gcp' | 'azure' | 'alicloud';

/** Options of {@link createMemoryMachineProvider}. */
export interface MemoryMachineProviderOptions {
  /** Machines per `listMachines` page. @default 5 */
  listPageSize?: number;
  /**
   * The provider type it reports and whose provider id format it uses, so code that parses a
   * cloud's provider ids can be tested in memory. @default 'local'
   */
  provider?: MemoryProviderIdFormat;
}

/** The in-memory machine provider, with views into its "cloud" for tests. */
export interface MemoryMachineProvider extends MachineProvider<MemoryMachineSpec> {
  /** VMs that exist now for the cluster (and machine name). */
  countVms(cluster: string, name?: string): number;
  /** "API calls" made so far: every contract call that got past validation. */
  callCount(): number;
}

interface Vm {
  id: string;
  machine: Machine;
}

function providerIdFor(format: MemoryProviderIdFormat, cluster: string, zone: string, id: string): string {
  const region = /^[a-z]{2}(-[a-z0-9]+)+$/.test(zone) ? zone : 'mem-region1';
  switch (format) {
    case 'aws':
      return formatProviderId({ provider: 'aws', zone: region, instanceId: `i-${id}` });
    case 'gcp':
      return formatProviderId({ provider: 'gcp', project: 'memory', zone: region, name: `vm-${id}` });
    case 'azure':
      return formatProviderId({ provider: 'azure', location: region, vmName: `vm-${id}` });
    case 'alicloud':
      return formatProviderId({ provider: 'alicloud', region, instanceId: `i-${id}` });
    case 'local':
      return formatProviderId({ provider: 'local', cluster, machineId: `vm-${id}` });
  }
}

/**
 * A `MachineProvider` whose VMs live in a Map: the reference implementation of the contract
 * (validation before any call, idempotent create and delete, `NotFound`, ownership tags, paged
 * listing, cancellation). It passes `machineProviderConformance`.
 */
export function createMemoryMachineProvider(
  options: MemoryMachineProviderOptions = {},
): MemoryMachineProvider {
  const { listPageSize = 5, provider = 'local' } = options;
  const vms = new Map<string, Vm>();
  let calls = 0;
  let created = 0;

  const owned = (cluster: string) => [...vms.values()].filter((vm) => vm.machine.cluster === cluster);
  const byName = (cluster: string, name: string) => owned(cluster).filter((vm) => vm.machine.name === name);

  function checkNames(operation: string, cluster: string, name?: string): void {
    const issues = [checkDns1123Label(cluster, 'cluster')];
    if (name !== undefined) issues.push(checkDns1123Label(name, 'name'));
    const found = issues.filter((issue): issue is FieldIssue => issue !== undefined);
    if (found.length > 0)
      throw invalidArgument(`invalid machine ${operation}`, found, { provider, operation });
  }

  /** One simulated cloud round trip: yields to the event loop and honours the signal. */
  async function call(operation: string, callOptions?: CallOptions): Promise<void> {
    const signal = callSignal(callOptions, { provider, operation });
    calls += 1;
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(signal, { provider, operation });
  }

  function resolveRef(ref: MachineRef, operation: string): Vm[] {
    if (ref.providerId !== undefined) {
      const vm = [...vms.values()].find((candidate) => candidate.machine.providerId === ref.providerId);
      return vm && vm.machine.cluster === ref.cluster && vm.machine.name === ref.name ? [vm] : [];
    }
    const found = byName(ref.cluster, ref.name);
    if (found.length > 1) {
      throw new TrellisError({
        code: 'OutOfRange',
        message: `machine ${ref.name} of cluster ${ref.cluster} has ${found.length} VMs: ${found
          .map((vm) => vm.machine.providerId)
          .join(', ')}`,
        provider,
        operation,
      });
    }
    return found;
  }

  return {
    specificationVersion: 'v1',
    provider,
    validateSpec: (spec) => memoryMachineSpecSchema.parse(spec),
    countVms: (cluster, name) => (name === undefined ? owned(cluster) : byName(cluster, name)).length,
    callCount: () => calls,

    async createMachine(request: CreateMachineRequest<MemoryMachineSpec>, callOptions?: CallOptions) {
      checkNames('createMachine', request.cluster, request.name);
      const spec = memoryMachineSpecSchema.parse(request.spec);
      await call('createMachine', callOptions);
      const existing = resolveRef(request, 'createMachine')[0];
      if (existing) return existing.machine;
      const id = randomBytes(8).toString('hex');
      created += 1;
      const machine: Machine = {
        name: request.name,
        cluster: request.cluster,
        providerId: providerIdFor(provider, request.cluster, spec.zone, id),
        phase: 'Running',
        addresses: [
          { type: 'InternalIP', address: `10.0.${Math.floor(created / 250) % 256}.${(created % 250) + 1}` },
          { type: 'Hostname', address: request.name },
        ],
        zone: spec.zone,
        machineType: spec.machineType,
        tags: machineTags(request.cluster, request.name, request.tags),
        createdAt: new Date(),
      };
      vms.set(id, { id, machine });
      return machine;
    },

    async deleteMachine(ref: MachineRef, callOptions?: CallOptions) {
      checkNames('deleteMachine', ref.cluster, ref.name);
      await call('deleteMachine', callOptions);
      const found =
        ref.providerId === undefined ? byName(ref.cluster, ref.name) : resolveRef(ref, 'deleteMachine');
      for (const vm of found) vms.delete(vm.id);
    },

    async getMachine(ref: MachineRef, callOptions?: CallOptions) {
      checkNames('getMachine', ref.cluster, ref.name);
      await call('getMachine', callOptions);
      const vm = resolveRef(ref, 'getMachine')[0];
      if (!vm) {
        throw notFound(`machine ${ref.name} of cluster ${ref.cluster} does not exist`, {
          provider,
          operation: 'getMachine',
        });
      }
      return vm.machine;
    },

    async *listMachines(filter: MachineFilter, callOptions?: CallOptions) {
      checkNames('listMachines', filter.cluster);
      const wanted = Object.entries(filter.tags ?? {});
      let after = '';
      for (;;) {
        await call('listMachines', callOptions);
        // A page is read by id order after a cursor, like a cloud's next token.
        const page = [...vms.values()]
          .filter((vm) => vm.id > after && `${CLUSTER_TAG_PREFIX}${filter.cluster}` in vm.machine.tags)
          .filter((vm) => vm.machine.tags[NAME_TAG] !== undefined)
          .filter((vm) => wanted.every(([key, value]) => vm.machine.tags[key] === value))
          .sort((first, second) => (first.id < second.id ? -1 : 1))
          .slice(0, listPageSize);
        for (const vm of page) yield vm.machine;
        if (page.length < listPageSize) return;
        after = page[page.length - 1]!.id;
      }
    },
  };
}
