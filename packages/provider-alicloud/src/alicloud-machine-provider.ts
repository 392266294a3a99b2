import * as $Ecs from '@alicloud/ecs20140526';
import {
  type CallOptions,
  CLUSTER_TAG_PREFIX,
  type CreateMachineRequest,
  callSignal,
  checkDns1123Label,
  checkMachineNames,
  type FieldIssue,
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
import { KeyedBatcher } from '@trellis/provider-kit';
import { type AlicloudMachineClass, validateAlicloudMachineSpec } from './alicloud-machine-class.js';
import {
  ALICLOUD_MAX_TAGS,
  alicloudMachineTags,
  clusterOf,
  type EcsInstance,
  toMachine,
} from './alicloud-machine-instance.js';
import { alicloudClientToken, runInstancesRequest } from './alicloud-run-request.js';
import type { AlicloudProviderContext } from './alicloud-settings.js';
import { ecsClient } from './ecs-client.js';

const PROVIDER = 'alicloud';
/** ECS takes at most 32 KiB of user data. */
export const ALICLOUD_MAX_USER_DATA_BYTES = 32 * 1024;
/** How many tokens of a machine's chain are tried before giving up. */
const MAX_TOKEN_CHAIN = 8;
/** Lookups of a just-created instance by id before its token counts as one of a gone instance. */
const CREATED_LOOKUPS = 3;

const checkNames = (cluster: unknown, name: unknown, operation: string) =>
  checkMachineNames(cluster, name, { provider: PROVIDER, operation });

/**
 * The ECS machine provider: a look-up by name and cluster tag before a `RunInstances` of one
 * instance, named and tagged at creation, with a `ClientToken` derived from cluster and name (a
 * retried or repeated create gets the same instance, never a second); delete with `Force`, an
 * instance already gone being success; lists by the cluster tag with `NextToken` pages of up to 100;
 * concurrent gets by provider id merged into one DescribeInstances of up to 100 ids.
 */
export function createAlicloudMachineProvider(
  context: AlicloudProviderContext,
): MachineProvider<AlicloudMachineClass> {
  const { api, region, logger, settings } = context;
  const ecs = () => ecsClient(context.clients);

  const validateSpec = (spec: unknown) => validateAlicloudMachineSpec(spec, region);

  async function describePage(
    request: $Ecs.DescribeInstancesRequest,
    operation: string,
    signal?: AbortSignal,
  ): Promise<{ instances: EcsInstance[]; nextToken: string }> {
    const response = await api.call('DescribeInstances', () => ecs().describeInstances(request), {
      operation,
      signal,
    });
    return {
      instances: response.body?.instances?.instance ?? [],
      nextToken: response.body?.nextToken ?? '',
    };
  }

  async function* describeAll(
    fields: Partial<$Ecs.DescribeInstancesRequest>,
    operation: string,
    signal?: AbortSignal,
  ): AsyncGenerator<EcsInstance> {
    let nextToken = '';
    do {
      const page = await describePage(
        new $Ecs.DescribeInstancesRequest({
          regionId: region,
          maxResults: settings.listPageSize,
          ...fields,
          ...(nextToken ? { nextToken } : {}),
        }),
        operation,
        signal,
      );
      yield* page.instances;
      nextToken = page.nextToken;
    } while (nextToken);
  }

  const clusterTag = (cluster: string) =>
    new $Ecs.DescribeInstancesRequestTag({ key: `${CLUSTER_TAG_PREFIX}${cluster}`, value: '1' });

  async function findByName(cluster: string, name: string, operation: string, signal?: AbortSignal) {
    const found: EcsInstance[] = [];
    // `InstanceName` matches `*` as a wildcard: a machine name (a DNS label) holds none.
    for await (const instance of describeAll(
      { instanceName: name, tag: [clusterTag(cluster)] },
      operation,
      signal,
    ))
      if (instance.instanceName === name) found.push(instance);
    return found;
  }

  // Concurrent gets by id share DescribeInstances calls of up to 100 ids.
  const byId = new KeyedBatcher<string, EcsInstance>({
    windowMs: settings.batchWindowMs,
    maxKeys: 100,
    fetch: async (ids) => {
      const found = new Map<string, EcsInstance>();
      for await (const instance of describeAll({ instanceIds: JSON.stringify(ids) }, 'getMachine'))
        if (instance.instanceId) found.set(instance.instanceId, instance);
      return found;
    },
  });

  function instanceIdOf(ref: MachineRef, operation: string): string | undefined {
    if (!ref.providerId) return undefined;
    const id = parseProviderId(ref.providerId);
    if (id.provider !== 'alicloud' || id.region !== region)
      throw invalidArgument(
        'invalid machine reference',
        [{ path: 'providerId', message: `${ref.providerId} is not an instance of region ${region}` }],
        { provider: PROVIDER, operation },
      );
    return id.instanceId;
  }

  function tooMany(found: readonly EcsInstance[], ref: MachineRef, operation: string): TrellisError {
    return new TrellisError({
      code: 'OutOfRange',
      provider: PROVIDER,
      operation,
      message: `machine ${ref.cluster}/${ref.name} has ${found.length} instances: ${found.map((instance) => instance.instanceId).join(', ')}`,
    });
  }

  /** The instance of an id right after RunInstances answered it, or undefined when it is gone. */
  async function created(id: string, signal?: AbortSignal): Promise<EcsInstance | undefined> {
    for (let lookup = 0; lookup < CREATED_LOOKUPS; lookup++) {
      for await (const instance of describeAll(
        { instanceIds: JSON.stringify([id]) },
        'createMachine',
        signal,
      ))
        if (instance.instanceId === id) return instance;
      await new Promise((resolve) => setTimeout(resolve, 200 * (lookup + 1)));
    }
    return undefined;
  }

  async function createMachine(
    request: CreateMachineRequest<AlicloudMachineClass>,
    options?: CallOptions,
  ): Promise<Machine> {
    const operation = 'createMachine';
    checkNames(request.cluster, request.name, operation);
    const spec = validateSpec(request.spec);
    const issues: FieldIssue[] = [];
    if (request.userData !== undefined && Buffer.byteLength(request.userData) > ALICLOUD_MAX_USER_DATA_BYTES)
      issues.push({
        path: 'userData',
        message: `must be at most ${ALICLOUD_MAX_USER_DATA_BYTES} bytes (ECS's limit)`,
      });
    const tags = alicloudMachineTags(request.cluster, request.name, spec.tags, request.tags);
    if (Object.keys(tags).length > ALICLOUD_MAX_TAGS)
      issues.push({
        path: 'tags',
        message: `the machine would carry ${Object.keys(tags).length} tags with the class's and the ownership tags; ECS allows ${ALICLOUD_MAX_TAGS}`,
      });
    if (issues.length > 0)
      throw invalidArgument('invalid machine request', issues, { provider: PROVIDER, operation });
    const signal = callSignal(options, { provider: PROVIDER, operation });

    const existing = await findByName(request.cluster, request.name, operation, signal);
    if (existing.length > 1) throw tooMany(existing, request, operation);
    if (existing[0]) return toMachine(existing[0], region);

    let previous: string | undefined;
    for (let attempt = 0; attempt < MAX_TOKEN_CHAIN; attempt++) {
      const clientToken = alicloudClientToken({ ...request, spec }, previous);
      const response = await api.call(
        'RunInstances',
        () => ecs().runInstances(runInstancesRequest(request, spec, clientToken)),
        { operation, signal },
      );
      const id = response.body?.instanceIdSets?.instanceIdSet?.[0];
      if (!id)
        throw new TrellisError({
          code: 'Internal',
          provider: PROVIDER,
          operation,
          message: 'RunInstances returned no instance',
        });
      const instance = await created(id, signal);
      if (instance) {
        logger.info(
          { provider: PROVIDER, cluster: request.cluster, machine: request.name, instanceId: id },
          'machine created',
        );
        return toMachine(instance, region);
      }
      // The token belongs to an instance of an earlier life of this machine: take the next token.
      previous = id;
    }
    throw new TrellisError({
      code: 'Unavailable',
      provider: PROVIDER,
      operation,
      message: `machine ${request.name}: every client token of its chain maps to a deleted instance`,
    });
  }

  async function getMachine(ref: MachineRef, options?: CallOptions): Promise<Machine> {
    const operation = 'getMachine';
    checkNames(ref.cluster, ref.name, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const instanceId = instanceIdOf(ref, operation);
    if (instanceId) {
      const instance = await byId.get(instanceId, signal);
      if (!instance || clusterOf(instance) !== ref.cluster)
        throw notFound(`machine ${ref.cluster}/${ref.name} (${instanceId}) does not exist`, {
          provider: PROVIDER,
          operation,
        });
      return toMachine(instance, region);
    }
    const found = await findByName(ref.cluster, ref.name, operation, signal);
    if (found.length > 1) throw tooMany(found, ref, operation);
    if (!found[0])
      throw notFound(`machine ${ref.cluster}/${ref.name} does not exist`, { provider: PROVIDER, operation });
    return toMachine(found[0], region);
  }

  async function deleteInstance(id: string, signal?: AbortSignal): Promise<void> {
    try {
      // `Force` releases a running instance (a power-off); a Pending one answers
      // IncorrectInstanceStatus, which the kit retries until it runs.
      await api.call(
        'DeleteInstance',
        () => ecs().deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true })),
        { operation: 'deleteMachine', signal },
      );
    } catch (error) {
      if (!TrellisError.hasCode(error, 'NotFound')) throw error;
    }
  }

  /**
   * What ECS will not release with the instance: data disks with `DeleteWithInstance` false and a
   * bound EIP. Read before the delete, so it can be reported (not leaked silently).
   */
  async function keptResources(
    instance: $Ecs.DescribeInstancesResponseBodyInstancesInstance,
    signal?: AbortSignal,
  ): Promise<{ disks: string[]; eip?: string }> {
    const { body } = await api.call(
      'DescribeDisks',
      () =>
        ecs().describeDisks(
          new $Ecs.DescribeDisksRequest({ regionId: region, instanceId: instance.instanceId, pageSize: 100 }),
        ),
      { operation: 'deleteMachine', signal },
    );
    const disks = (body?.disks?.disk ?? [])
      .filter((disk) => disk.deleteWithInstance === false)
      .map((disk) => disk.diskId ?? '');
    const eip = instance.eipAddress?.allocationId || undefined;
    return { disks, ...(eip ? { eip } : {}) };
  }

  async function deleteMachine(ref: MachineRef, options?: CallOptions): Promise<void> {
    const operation = 'deleteMachine';
    checkNames(ref.cluster, ref.name, operation);
    const signal = callSignal(options, { provider: PROVIDER, operation });
    const instanceId = instanceIdOf(ref, operation);
    let instances: Array<$Ecs.DescribeInstancesResponseBodyInstancesInstance>;
    if (instanceId) {
      const instance = await byId.get(instanceId, signal);
      // Gone already, or not this cluster's: nothing of this machine to delete.
      instances = instance && clusterOf(instance) === ref.cluster ? [instance] : [];
    } else {
      // Without a provider id (a create whose answer never arrived): every instance of the name.
      instances = await findByName(ref.cluster, ref.name, operation, signal);
    }
    for (const instance of instances) {
      const kept = await keptResources(instance, signal);
      await deleteInstance(instance.instanceId!, signal);
      const fields = {
        provider: PROVIDER,
        cluster: ref.cluster,
        machine: ref.name,
        instanceId: instance.instanceId,
      };
      if (kept.disks.length > 0 || kept.eip)
        logger.warn(
          { ...fields, keptDisks: kept.disks, keptEip: kept.eip },
          'machine deleted; ECS keeps its data disks with deleteWithInstance false and its EIP: release them when they are no longer needed',
        );
      else logger.info(fields, 'machine deleted');
    }
  }

  async function* listMachines(filter: MachineFilter, options?: CallOptions): AsyncIterable<Machine> {
    const operation = 'listMachines';
    const issue = checkDns1123Label(filter.cluster, 'cluster');
    if (issue) throw invalidArgument('invalid machine filter', [issue], { provider: PROVIDER, operation });
    const signal = resolveSignal(options);
    const tag = [
      clusterTag(filter.cluster),
      ...Object.entries(filter.tags ?? {}).map(
        ([key, value]) => new $Ecs.DescribeInstancesRequestTag({ key, value }),
      ),
    ];
    for await (const instance of describeAll({ tag }, operation, signal)) {
      const machine = toMachine(instance, region);
      if (machine.phase === 'Terminated' && !filter.includeTerminated) continue;
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
