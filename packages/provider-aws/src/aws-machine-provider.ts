import { type Instance, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
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
  resolveSignal,
  TrellisError,
} from '@trellis/core';
import { type AwsMachineClass, validateAwsMachineSpec } from './aws-machine-class.js';
import { LIVE_INSTANCE_STATES, ownershipFilters, toMachine } from './aws-machine-instance.js';
import { createMachineLauncher } from './aws-machine-launch.js';
import type { AwsProviderContext } from './aws-settings.js';
import { ec2Client } from './ec2-client.js';
import { createInstanceBatchers, describeInstances } from './ec2-instance-batcher.js';

const PROVIDER = 'aws';
/** EC2 accepts at most 16 KiB of user data (before base64). */
const MAX_USER_DATA_BYTES = 16 * 1024;

const checkNames = (cluster: unknown, name: unknown, operation: string) =>
  checkMachineNames(cluster, name, { provider: PROVIDER, operation });

function tooMany(instances: readonly Instance[], ref: { cluster: string; name: string }, operation: string) {
  const ids = instances.map((instance) => instance.InstanceId).join(', ');
  return new TrellisError({
    code: 'OutOfRange',
    message: `machine ${ref.cluster}/${ref.name} has ${instances.length} VMs: ${ids}`,
    provider: PROVIDER,
    operation,
  });
}

/**
 * The EC2 machine provider: idempotent create with client tokens and lookup by ownership tags,
 * batched reads, rate-limited and retried API calls.
 */
export function createAwsMachineProvider(context: AwsProviderContext): MachineProvider<AwsMachineClass> {
  const { api, region, logger } = context;
  const batchers = createInstanceBatchers(context);
  const launcher = createMachineLauncher(context, batchers);
  const ec2 = () => ec2Client(context.clients);

  const validateSpec = (spec: unknown): AwsMachineClass => validateAwsMachineSpec(spec, region);

  async function lookup(cluster: string, name: string, signal?: AbortSignal): Promise<Instance[]> {
    return (await batchers.byName.get(`${cluster}\u0000${name}`, signal)) ?? [];
  }

  async function createMachine(
    request: CreateMachineRequest<AwsMachineClass>,
    options?: CallOptions,
  ): Promise<Machine> {
    const operation = 'createMachine';
    checkNames(request.cluster, request.name, operation);
    const spec = validateSpec(request.spec);
    if (request.userData !== undefined && Buffer.byteLength(request.userData) > MAX_USER_DATA_BYTES) {
      throw invalidArgument(
        'invalid machine request',
        [{ path: 'userData', message: `must be at most ${MAX_USER_DATA_BYTES} bytes (EC2's limit)` }],
        { provider: PROVIDER, operation },
      );
    }
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const existing = await lookup(request.cluster, request.name, signal);
    if (existing.length > 1) throw tooMany(existing, request, operation);
    if (existing[0]) return toMachine(existing[0], { cluster: request.cluster, region });
    const visible = await launcher.launch(request, spec, signal);
    return toMachine(visible, { cluster: request.cluster, region });
  }

  function instanceIdOf(ref: MachineRef, operation: string): string | undefined {
    if (!ref.providerId) return undefined;
    const parsed = parseProviderId(ref.providerId);
    if (parsed.provider !== 'aws') {
      throw invalidArgument(
        'invalid machine reference',
        [{ path: 'providerId', message: `is not an AWS provider id: ${ref.providerId}` }],
        { provider: PROVIDER, operation },
      );
    }
    return parsed.instanceId;
  }

  async function getMachine(ref: MachineRef, options?: CallOptions): Promise<Machine> {
    const operation = 'getMachine';
    checkNames(ref.cluster, ref.name, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const instanceId = instanceIdOf(ref, operation);
    if (instanceId) {
      const instance = await batchers.byId.get(instanceId, signal);
      if (!instance || instance.State?.Name === 'terminated') {
        throw notFound(`machine ${ref.cluster}/${ref.name} (${instanceId}) does not exist`, {
          provider: PROVIDER,
          operation,
        });
      }
      return toMachine(instance, { cluster: ref.cluster, region });
    }
    const found = await lookup(ref.cluster, ref.name, signal);
    if (found.length > 1) throw tooMany(found, ref, operation);
    if (!found[0])
      throw notFound(`machine ${ref.cluster}/${ref.name} does not exist`, { provider: PROVIDER, operation });
    return toMachine(found[0], { cluster: ref.cluster, region });
  }

  async function terminate(instanceIds: string[], signal: AbortSignal | undefined): Promise<void> {
    try {
      await api.call(
        'TerminateInstances',
        (abortSignal) =>
          ec2().send(new TerminateInstancesCommand({ InstanceIds: instanceIds }), { abortSignal }),
        {
          operation: 'deleteMachine',
          signal,
          resources: instanceIds.length,
        },
      );
    } catch (error) {
      if (!TrellisError.hasCode(error, 'NotFound')) throw error;
      if (instanceIds.length > 1) await Promise.all(instanceIds.map((id) => terminate([id], signal)));
    }
  }

  async function deleteMachine(ref: MachineRef, options?: CallOptions): Promise<void> {
    const operation = 'deleteMachine';
    checkNames(ref.cluster, ref.name, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const instanceId = instanceIdOf(ref, operation);
    const ids = instanceId
      ? [instanceId]
      : (await lookup(ref.cluster, ref.name, signal)).map((instance) => instance.InstanceId!);
    if (ids.length === 0) return;
    await terminate(ids, signal);
    logger.info(
      { provider: PROVIDER, cluster: ref.cluster, machine: ref.name, instanceIds: ids },
      'machine deleted',
    );
  }

  async function* listMachines(filter: MachineFilter, options?: CallOptions): AsyncIterable<Machine> {
    const operation = 'listMachines';
    const issue = checkDns1123Label(filter.cluster, 'cluster');
    if (issue) throw invalidArgument('invalid machine filter', [issue], { provider: PROVIDER, operation });
    const signal = resolveSignal(options);
    const states = filter.includeTerminated ? undefined : LIVE_INSTANCE_STATES;
    const filters = ownershipFilters({ cluster: filter.cluster, tags: filter.tags, states });
    const input = { Filters: filters, MaxResults: context.settings.listPageSize };
    for await (const instance of describeInstances(context, input, { operation, signal })) {
      yield toMachine(instance, { cluster: filter.cluster, region });
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
