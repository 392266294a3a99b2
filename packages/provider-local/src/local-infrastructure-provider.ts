import {
  type CreatedResource,
  callSignal,
  checkDns1123Label,
  emptyInfrastructureState,
  type FieldIssue,
  type InfrastructureCallOptions,
  type InfrastructureProvider,
  type InfrastructureRequest,
  type InfrastructureState,
  type InfrastructureStatus,
  invalidArgument,
  throwIfAborted,
  validateInfrastructureState,
} from '@trellis/core';
import type { LocalCloudResources } from './local-cloud-resources.js';
import { type LocalInfrastructureConfig, localInfrastructureConfig } from './local-infrastructure-config.js';
import { infrastructureSteps, resourceId, sameAttributes, statusOf } from './local-infrastructure-steps.js';
import { LOCAL_PROVIDER, type ResolvedLocalSettings } from './local-settings.js';
import { withLock } from './local-state-store.js';

/** The local infrastructure provider: networks, subnets and security groups are files. */
export type LocalInfrastructureProvider = InfrastructureProvider<
  LocalInfrastructureConfig,
  InfrastructureStatus
>;

type MutableState = {
  version: 'v1';
  provider: string;
  resources: Record<string, CreatedResource>;
  completedSteps: string[];
};

function snapshot(state: MutableState): InfrastructureState {
  return structuredClone(state);
}

/** Creates the infrastructure provider over the local "cloud". */
export function createLocalInfrastructureProvider(
  settings: ResolvedLocalSettings,
  cloud: LocalCloudResources,
): LocalInfrastructureProvider {
  function validate(request: InfrastructureRequest<unknown>, operation: string) {
    const issues: FieldIssue[] = [];
    const clusterIssue = checkDns1123Label(request.cluster, 'cluster');
    if (clusterIssue) issues.push(clusterIssue);
    if (typeof request.region !== 'string' || request.region.length === 0) {
      issues.push({ path: 'region', message: 'is required' });
    }
    const config = localInfrastructureConfig.validate(request.config);
    if (!config.success) issues.push(...config.issues);
    const state =
      request.state === undefined
        ? undefined
        : validateInfrastructureState(request.state, { provider: LOCAL_PROVIDER, path: 'state' });
    if (state && !state.success) issues.push(...state.issues);
    if (issues.length > 0 || !config.success) {
      throw invalidArgument('invalid local infrastructure request', issues, {
        provider: LOCAL_PROVIDER,
        operation,
      });
    }
    const current: MutableState | undefined = state?.success
      ? (structuredClone(state.data) as MutableState)
      : undefined;
    return { config: config.data, state: current };
  }

  async function report(
    state: MutableState,
    options: InfrastructureCallOptions | undefined,
    signal?: AbortSignal,
    operation = 'reconcile',
  ) {
    await options?.onState?.(snapshot(state));
    throwIfAborted(signal, { provider: LOCAL_PROVIDER, operation });
  }

  return {
    specificationVersion: 'v1',
    provider: LOCAL_PROVIDER,
    validateConfig: (config) => localInfrastructureConfig.parse(config),

    async reconcile(request, options) {
      const { config, state: given } = validate(request, 'reconcile');
      const state = given ?? (emptyInfrastructureState(LOCAL_PROVIDER) as MutableState);
      const recordedNetwork = state.resources.network;
      if (
        recordedNetwork?.attributes?.cidr !== undefined &&
        recordedNetwork.attributes.cidr !== config.networks.cidr
      ) {
        throw invalidArgument(
          'invalid local infrastructure config',
          [
            {
              path: 'networks.cidr',
              message: `cannot change from ${recordedNetwork.attributes.cidr}: delete the infrastructure first`,
            },
          ],
          { provider: LOCAL_PROVIDER, operation: 'reconcile' },
        );
      }
      const signal = callSignal(options, { provider: LOCAL_PROVIDER, operation: 'reconcile' });
      return withLock(
        settings.stateDirectory(),
        `infrastructure/${request.cluster}`,
        settings.logger,
        async () => {
          const steps = infrastructureSteps(config);
          let networkId = '';
          for (const step of steps) {
            throwIfAborted(signal, { provider: LOCAL_PROVIDER, operation: `reconcile:${step.key}` });
            const attributes =
              step.kind === 'network' ? step.attributes : { ...step.attributes, network: networkId };
            const desired = { ...step, attributes };
            const recorded = state.resources[step.key];
            const upToDate =
              recorded && sameAttributes(recorded, desired) && (await cloud.get(recorded.id)) !== undefined;
            if (!upToDate) {
              if (recorded && recorded.managed !== false) await cloud.delete(recorded.id);
              const id = resourceId(request.cluster, request.region, step);
              await cloud.put({
                version: 'v1',
                id,
                kind: step.kind,
                cluster: request.cluster,
                region: request.region,
                attributes,
              });
              state.resources[step.key] = { id, kind: step.kind, attributes };
              settings.logger.info(
                { cluster: request.cluster, resource: id, step: step.key },
                'infrastructure resource created',
              );
            }
            if (step.kind === 'network') networkId = state.resources[step.key]!.id;
            if (!state.completedSteps.includes(step.key)) state.completedSteps.push(step.key);
            await report(state, options, signal);
          }
          const wanted = new Set(steps.map((step) => step.key));
          for (const key of [
            ...new Set([...state.completedSteps, ...Object.keys(state.resources)]),
          ].reverse()) {
            if (wanted.has(key)) continue;
            const resource = state.resources[key];
            if (resource && resource.managed !== false) await cloud.delete(resource.id);
            delete state.resources[key];
            state.completedSteps = state.completedSteps.filter((step) => step !== key);
            await report(state, options, signal);
          }
          return { status: statusOf(state), state: snapshot(state) };
        },
      );
    },

    async delete(request, options) {
      const { state } = validate(request, 'delete');
      const signal = callSignal(options, { provider: LOCAL_PROVIDER, operation: 'delete' });
      if (!state) return;
      await withLock(
        settings.stateDirectory(),
        `infrastructure/${request.cluster}`,
        settings.logger,
        async () => {
          const order = [...new Set([...state.completedSteps, ...Object.keys(state.resources)])].reverse();
          for (const key of order) {
            const resource = state.resources[key];
            if (resource && resource.managed !== false) {
              await cloud.delete(resource.id);
              settings.logger.info(
                { cluster: request.cluster, resource: resource.id, step: key },
                'infrastructure resource deleted',
              );
            }
            delete state.resources[key];
            state.completedSteps = state.completedSteps.filter((step) => step !== key);
            await report(state, options, signal, 'delete');
          }
        },
      );
    },
  };
}
