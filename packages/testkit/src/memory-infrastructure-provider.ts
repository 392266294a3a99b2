import { randomBytes } from 'node:crypto';
import {
  type CreatedResource,
  checkDns1123Label,
  emptyInfrastructureState,
  type FieldIssue,
  type InfrastructureCallOptions,
  type InfrastructureProvider,
  type InfrastructureRequest,
  type InfrastructureState,
  type InfrastructureStatus,
  invalidArgument,
  resolveSignal,
  TrellisError,
  throwIfAborted,
  validateInfrastructureState,
} from '@trellis/core';
import {
  type MemoryInfrastructureConfig,
  memoryInfrastructureConfigSchema,
} from './memory-infrastructure-config.js';

const PROVIDER = 'memory';

/** The in-memory infrastructure provider, with views into its "cloud" for tests. */
export interface MemoryInfrastructureProvider extends InfrastructureProvider<MemoryInfrastructureConfig> {
  /** Ids of every resource in the memory cloud, whoever created it, sorted. */
  inventory(): string[];
  /** Creates a resource the provider does not own (bring-your-own); returns its id. */
  createForeignResource(kind?: string): string;
}

interface CloudResource {
  id: string;
  kind: string;
  /** Owner tags: cluster and logical key; empty for foreign resources. */
  cluster: string;
  key: string;
  parent?: string;
  attributes: Record<string, string>;
}

/** A step of the reconcile graph: the logical key it owns and the resource it wants. */
interface Want {
  key: string;
  kind: string;
  attributes: Record<string, string>;
}

/**
 * An `InfrastructureProvider` over an in-memory cloud: a network, a node subnet per zone and a
 * security group, reconciled as a small graph (network first, then subnets and security group
 * in parallel), reporting state after every step, deleting in reverse order. The memory cloud
 * refuses to delete a network that still has subnets, as a real one does. It passes
 * `infrastructureProviderConformance`.
 */
export function createMemoryInfrastructureProvider(): MemoryInfrastructureProvider {
  const cloud = new Map<string, CloudResource>();

  function add(
    kind: string,
    cluster: string,
    key: string,
    attributes: Record<string, string>,
    parent?: string,
  ) {
    const id = `${kind === 'security-group' ? 'sg' : kind}-${randomBytes(6).toString('hex')}`;
    cloud.set(id, { id, kind, cluster, key, parent, attributes });
    return id;
  }

  function remove(id: string): void {
    const dependents = [...cloud.values()].filter((resource) => resource.parent === id);
    if (dependents.length > 0) {
      throw new TrellisError({
        code: 'Internal',
        message: `${id} still has dependents: ${dependents.map((resource) => resource.id).join(', ')}`,
        provider: PROVIDER,
        operation: 'delete',
      });
    }
    cloud.delete(id);
  }

  function validate(request: InfrastructureRequest<MemoryInfrastructureConfig>, operation: string) {
    const issues = [checkDns1123Label(request.cluster, 'cluster')].filter(
      (issue): issue is FieldIssue => issue !== undefined,
    );
    if (!request.region) issues.push({ path: 'region', message: 'is required' });
    if (request.state) {
      const state = validateInfrastructureState(request.state, { provider: PROVIDER, path: 'state' });
      if (!state.success) issues.push(...state.issues);
    }
    const result = memoryInfrastructureConfigSchema.validate(request.config);
    if (!result.success) issues.push(...result.issues);
    if (issues.length > 0 || !result.success) {
      throw invalidArgument('invalid memory infrastructure request', issues, {
        provider: PROVIDER,
        operation,
      });
    }
    return result.data;
  }

  /** Mutable working copy of the state, reported as plain JSON after every change. */
  function workingState(state: InfrastructureState | undefined) {
    const base = state ?? emptyInfrastructureState(PROVIDER);
    const resources: Record<string, CreatedResource> = { ...base.resources };
    const completedSteps = [...base.completedSteps];
    const snapshot = (): InfrastructureState =>
      JSON.parse(JSON.stringify({ version: 'v1', provider: PROVIDER, resources, completedSteps }));
    return { resources, completedSteps, snapshot };
  }

  return {
    specificationVersion: 'v1',
    provider: PROVIDER,
    validateConfig: (config) => memoryInfrastructureConfigSchema.parse(config),
    inventory: () => [...cloud.keys()].sort(),
    createForeignResource: (kind = 'network') => add(kind, '', '', {}),

    async reconcile(request, options: InfrastructureCallOptions = {}) {
      const config = validate(request, 'reconcile');
      const signal = resolveSignal(options);
      const state = workingState(request.state);
      const recordedCidr = state.resources.network?.attributes?.cidr;
      if (recordedCidr !== undefined && recordedCidr !== config.networkCidr) {
        throw invalidArgument(
          'invalid memory infrastructure request',
          [{ path: 'networkCidr', message: `cannot change from ${recordedCidr} once the network exists` }],
          { provider: PROVIDER, operation: 'reconcile' },
        );
      }

      const ensure = async (want: Want, parent?: string): Promise<string> => {
        const context = { provider: PROVIDER, operation: `reconcile:${want.key}` };
        throwIfAborted(signal, context);
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal, context);
        const recorded = state.resources[want.key];
        const matches = (resource: CloudResource | undefined) =>
          resource !== undefined &&
          Object.entries(want.attributes).every(([name, value]) => resource.attributes[name] === value);
        let resource = recorded ? cloud.get(recorded.id) : undefined;
        if (resource && !matches(resource)) {
          remove(resource.id);
          resource = undefined;
        }
        // Adopt a resource that carries our tags but is missing from the state (a lost report).
        resource ??= [...cloud.values()].find(
          (r) => r.cluster === request.cluster && r.key === want.key && matches(r),
        );
        const id = resource?.id ?? add(want.kind, request.cluster, want.key, want.attributes, parent);
        const changed = recorded?.id !== id || !state.completedSteps.includes(want.key);
        state.resources[want.key] = { id, kind: want.kind, attributes: want.attributes };
        if (!state.completedSteps.includes(want.key)) state.completedSteps.push(want.key);
        if (changed) await options.onState?.(state.snapshot());
        throwIfAborted(signal, context);
        return id;
      };

      const networkId = await ensure({
        key: 'network',
        kind: 'network',
        attributes: { cidr: config.networkCidr },
      });
      const subnetSteps = config.zones.map((zone) =>
        ensure(
          {
            key: `subnet/${zone.name}`,
            kind: 'subnet',
            attributes: { zone: zone.name, cidr: zone.nodesCidr },
          },
          networkId,
        ),
      );
      const groupStep = ensure({ key: 'security-group', kind: 'security-group', attributes: {} }, networkId);
      // Wait for every parallel step, so none creates anything after this call has returned.
      const settled = await Promise.allSettled([...subnetSteps, groupStep]);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      const ids = settled.map((result) => (result as PromiseFulfilledResult<string>).value);

      const wantedZones = new Set(config.zones.map((zone) => `subnet/${zone.name}`));
      for (const [key, resource] of Object.entries(state.resources)) {
        if (!key.startsWith('subnet/') || wantedZones.has(key) || resource.managed === false) continue;
        throwIfAborted(signal, { provider: PROVIDER, operation: `reconcile:${key}` });
        if (cloud.has(resource.id)) remove(resource.id);
        delete state.resources[key];
        state.completedSteps.splice(state.completedSteps.indexOf(key), 1);
        await options.onState?.(state.snapshot());
      }

      const status: InfrastructureStatus = {
        networkId,
        subnets: config.zones.map((zone, index) => ({ zone: zone.name, nodes: ids[index]! })),
        securityGroupIds: [ids[ids.length - 1]!],
        egressAddresses: [],
      };
      return { status, state: state.snapshot() };
    },

    async delete(request, options: InfrastructureCallOptions = {}) {
      validate(request, 'delete');
      if (!request.state) return;
      const signal = resolveSignal(options);
      const state = workingState(request.state);
      const removeKey = async (key: string) => {
        const context = { provider: PROVIDER, operation: `delete:${key}` };
        throwIfAborted(signal, context);
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal, context);
        const resource = state.resources[key];
        if (!resource) return;
        if (resource.managed !== false && cloud.has(resource.id)) remove(resource.id);
        delete state.resources[key];
        const index = state.completedSteps.indexOf(key);
        if (index >= 0) state.completedSteps.splice(index, 1);
        await options.onState?.(state.snapshot());
      };
      const leaves = Object.keys(state.resources).filter((key) => key !== 'network');
      const settled = await Promise.allSettled(leaves.map(removeKey));
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      await removeKey('network');
    },
  };
}
