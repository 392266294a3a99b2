import { randomUUID } from 'node:crypto';
import type { protos } from '@google-cloud/compute';
import {
  type CallOptions,
  type CreateMachineRequest,
  callSignal,
  checkDns1123Label,
  checkMachineNames,
  invalidArgument,
  type Machine,
  type MachineFilter,
  type MachineProvider,
  type MachineRef,
  notFound,
  parseProviderId,
  TrellisError,
} from '@trellis/core';
import {
  GCE_CLUSTER_LABEL,
  KeyedBatcher,
  sanitizeGceLabelKey,
  sanitizeGceLabelValue,
} from '@trellis/provider-kit';
import { CALL_OPTIONS, instancesClient } from './gcp-compute-clients.js';
import { instanceResource } from './gcp-instance-request.js';
import { type GcpMachineClass, validateGcpMachineSpec } from './gcp-machine-class.js';
import { clusterOf, toMachine } from './gcp-machine-instance.js';
import { waitForComputeOperation } from './gcp-operations.js';
import type { GcpProviderContext } from './gcp-settings.js';

type Instance = protos.google.cloud.compute.v1.IInstance;
type Operation = protos.google.cloud.compute.v1.IOperation;

const PROVIDER = 'gcp';
/** GCE's limit for one metadata value (the user data). */
export const GCP_MAX_USER_DATA_BYTES = 256 * 1024;

/**
 * The GCE machine provider: instance name = machine name (GCE keeps names unique per zone, so a
 * repeated create can only find the VM, never make a second), ownership labels and network tags,
 * a `requestId` for every retry of one create, zone operations awaited, batched lookups through
 * one aggregated list per cluster.
 */
export function createGcpMachineProvider(context: GcpProviderContext): MachineProvider<GcpMachineClass> {
  const { api, project, region, logger, settings } = context;
  const instances = () => instancesClient(context.clients);
  const validateSpec = (spec: unknown) => validateGcpMachineSpec(spec, region);

  const checkRef = (ref: MachineRef, operation: string) =>
    checkMachineNames(ref.cluster, ref.name, { provider: PROVIDER, operation });

  const waitFor = (started: Operation, operation: string, signal?: AbortSignal) =>
    waitForComputeOperation(context, started, operation, signal);

  async function getInstance(zone: string, name: string, operation: string, signal?: AbortSignal) {
    try {
      const [instance] = await api.call(
        'instances.get',
        () => instances().get({ project, zone, instance: name }, CALL_OPTIONS),
        {
          operation,
          signal,
        },
      );
      return instance;
    } catch (error) {
      if (TrellisError.hasCode(error, 'NotFound')) return undefined;
      throw error;
    }
  }

  async function clusterInstances(
    cluster: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<Instance[]> {
    return api.call(
      'instances.aggregatedList',
      async () => {
        const found: Instance[] = [];
        const request = {
          project,
          filter: `labels.${GCE_CLUSTER_LABEL} = "${cluster}"`,
          maxResults: settings.listPageSize,
        };
        for await (const [, scoped] of instances().aggregatedListAsync(request, {
          ...CALL_OPTIONS,
          autoPaginate: false,
        })) {
          found.push(...(scoped.instances ?? []));
        }
        return found;
      },
      { operation, signal },
    );
  }

  // Concurrent lookups by name of one cluster share one aggregated list.
  const byName = new KeyedBatcher<string, Instance[]>({
    windowMs: settings.batchWindowMs,
    maxKeys: 1000,
    fetch: async (keys) => {
      const clusters = new Set(keys.map((key) => key.split('\u0000')[0]!));
      const result = new Map<string, Instance[]>();
      await Promise.all(
        [...clusters].map(async (cluster) => {
          for (const instance of await clusterInstances(cluster, 'getMachine')) {
            const key = `${cluster}\u0000${instance.name}`;
            result.set(key, [...(result.get(key) ?? []), instance]);
          }
        }),
      );
      return result;
    },
  });

  /**
   * The machine's instances, found by name within the cluster (one aggregated list serves every
   * concurrent lookup of the cluster); a provider id narrows them to its zone.
   */
  async function find(ref: MachineRef, signal?: AbortSignal): Promise<Instance[]> {
    let zone: string | undefined;
    if (ref.providerId) {
      const id = parseProviderId(ref.providerId);
      if (id.provider !== 'gcp' || id.name !== ref.name || id.project !== project) {
        throw invalidArgument('invalid machine reference', [
          {
            path: 'providerId',
            message: `${ref.providerId} is not machine ${ref.name} of project ${project}`,
          },
        ]);
      }
      zone = id.zone;
    }
    const found = (await byName.get(`${ref.cluster}\u0000${ref.name}`, signal)) ?? [];
    return zone ? found.filter((instance) => (instance.zone ?? '').endsWith(`/zones/${zone}`)) : found;
  }

  function one(found: Instance[], ref: MachineRef, operation: string): Instance | undefined {
    if (found.length > 1) {
      throw new TrellisError({
        code: 'OutOfRange',
        provider: PROVIDER,
        operation,
        message: `machine ${ref.cluster}/${ref.name} has ${found.length} VMs: ${found.map((instance) => instance.zone).join(', ')}`,
      });
    }
    return found[0];
  }

  async function createMachine(
    request: CreateMachineRequest<GcpMachineClass>,
    options?: CallOptions,
  ): Promise<Machine> {
    const operation = 'createMachine';
    checkRef(request, operation);
    const spec = validateSpec(request.spec);
    if (request.userData !== undefined && Buffer.byteLength(request.userData) > GCP_MAX_USER_DATA_BYTES) {
      throw invalidArgument(
        'invalid machine',
        [
          {
            path: 'userData',
            message: `must be at most ${GCP_MAX_USER_DATA_BYTES} bytes (GCE's metadata value limit)`,
          },
        ],
        { provider: PROVIDER, operation },
      );
    }
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const { zone } = spec;
    const adopt = (instance: Instance) => {
      if (clusterOf(instance) !== request.cluster) {
        throw new TrellisError({
          code: 'AlreadyExists',
          provider: PROVIDER,
          operation,
          message: `an instance ${request.name} exists in ${zone} but is not cluster ${request.cluster}'s (labels say ${clusterOf(instance) ?? 'none'})`,
        });
      }
      return toMachine(instance, project);
    };
    const existing = await getInstance(zone, request.name, operation, signal);
    if (existing) return adopt(existing);
    // One request id for every retry of this create: GCE answers a repeated one with the first
    // operation. A later create (another process) gets alreadyExists and adopts the VM by its labels.
    const requestId = randomUUID();
    const resource = instanceResource({
      project,
      cluster: request.cluster,
      name: request.name,
      spec,
      userData: request.userData,
      tags: request.tags,
    });
    try {
      const [started] = await api.call(
        'instances.insert',
        () => instances().insert({ project, zone, instanceResource: resource, requestId }, CALL_OPTIONS),
        { operation, signal },
      );
      await waitFor(started.latestResponse as Operation, operation, signal);
    } catch (error) {
      if (!TrellisError.hasCode(error, 'AlreadyExists')) throw error;
      const raced = await getInstance(zone, request.name, operation, signal);
      if (!raced) throw error;
      return adopt(raced);
    }
    const created = await getInstance(zone, request.name, operation, signal);
    if (!created)
      throw notFound(`instance ${request.name} vanished after its create`, { provider: PROVIDER, operation });
    logger.info(
      { provider: PROVIDER, cluster: request.cluster, machine: request.name, zone },
      'machine created',
    );
    return toMachine(created, project);
  }

  async function getMachine(ref: MachineRef, options?: CallOptions): Promise<Machine> {
    const operation = 'getMachine';
    checkRef(ref, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const instance = one(await find(ref, signal), ref, operation);
    if (!instance)
      throw notFound(`machine ${ref.cluster}/${ref.name} does not exist`, { provider: PROVIDER, operation });
    return toMachine(instance, project);
  }

  async function deleteMachine(ref: MachineRef, options?: CallOptions): Promise<void> {
    const operation = 'deleteMachine';
    checkRef(ref, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    for (const instance of await find(ref, signal)) {
      const zone = (instance.zone ?? '').split('/').at(-1)!;
      const requestId = randomUUID();
      try {
        const [started] = await api.call(
          'instances.delete',
          () => instances().delete({ project, zone, instance: ref.name, requestId }, CALL_OPTIONS),
          { operation, signal },
        );
        await waitFor(started.latestResponse as Operation, operation, signal);
      } catch (error) {
        if (!TrellisError.hasCode(error, 'NotFound')) throw error;
      }
      logger.info({ provider: PROVIDER, cluster: ref.cluster, machine: ref.name, zone }, 'machine deleted');
    }
  }

  async function* listMachines(filter: MachineFilter, options?: CallOptions): AsyncIterable<Machine> {
    const operation = 'listMachines';
    const issue = checkDns1123Label(filter.cluster, 'cluster');
    if (issue) throw invalidArgument('invalid machine filter', [issue], { provider: PROVIDER, operation });
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const wanted = Object.entries(filter.tags ?? {}).map(([key, value]) => [
      sanitizeGceLabelKey(key),
      sanitizeGceLabelValue(value),
    ]);
    for (const instance of await clusterInstances(filter.cluster, operation, signal)) {
      if (wanted.every(([key, value]) => instance.labels?.[key!] === value))
        yield toMachine(instance, project);
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
