import {
  type ConfigSchema,
  callSignal,
  checkDns1123Label,
  type FieldIssue,
  type InfrastructureProvider,
  type InfrastructureRequest,
  type InfrastructureState,
  type InfrastructureStatus,
  invalidArgument,
  type Logger,
  silentLogger,
  type TrellisError,
  validateInfrastructureState,
} from '@trellis/core';
import { createStateEmitter, InfrastructureStateBook } from './infrastructure-state-book.js';
import { type GraphStep, runStepGraph, type StepRetryOptions } from './step-graph.js';

/** What a flow's `createContext` receives for one reconcile or delete. */
export interface InfrastructureFlowInput<Config> {
  readonly request: InfrastructureRequest<Config>;
  /** The validated config. */
  readonly config: Config;
  /** The working copy of the state; steps record what they create in it. */
  readonly state: InfrastructureStateBook;
  readonly signal: AbortSignal | undefined;
  /**
   * Hands the state as it is now to the caller's `onState` and waits for it. A step calls it after
   * a write-ahead mark ({@link InfrastructureStateBook.markPending}), before a create whose result a
   * crash could lose.
   */
  readonly saveState: () => Promise<void>;
  readonly operation: 'reconcile' | 'delete';
}

/**
 * A cloud's infrastructure actuator, as {@link createInfrastructureProvider} runs it: the mapping of a
 * config to a graph of steps, the status, the delete, and the cloud's error mapping. The runner does
 * the rest every cloud shares: request validation (cluster, region, state, config, update rules)
 * before any cloud call, the state book, `onState` after every step, retries of failed steps, the
 * state kept when a step fails, and signals.
 */
export interface InfrastructureFlow<Config, Status extends InfrastructureStatus, Context> {
  /** Provider type (`gcp`). */
  readonly provider: string;
  /** What it reconciles, for messages: `GCP infrastructure` gives "invalid GCP infrastructure request". */
  readonly what: string;
  /** The config schema with every validation rule. */
  readonly schema: ConfigSchema<Config>;
  /** @default silent */
  readonly logger?: Logger;
  /** Retries of a failed step (each attempt looks its resources up again first). */
  readonly stepRetry: StepRetryOptions;
  /** Which step errors are worth another attempt. */
  isStepRetryable(error: unknown): boolean;
  /**
   * The problems of reconciling `config` over a state an earlier reconcile wrote (immutable fields),
   * read from what the state records. @default none
   */
  checkUpdate?(state: InfrastructureState | undefined, config: Config): FieldIssue[];
  /** The context the steps share. */
  createContext(input: InfrastructureFlowInput<Config>): Context;
  /** The reconcile graph of a config. */
  plan(context: Context): GraphStep[];
  /** The status after a successful reconcile. */
  status(context: Context): Status | Promise<Status>;
  /** Deletes what the state records (the runner calls it only with a state). */
  delete(context: Context): Promise<void>;
  /** Maps anything a step threw to a core error. */
  toError(error: unknown, context: { operation: string; signal?: AbortSignal | undefined }): TrellisError;
}

function checkRequest<Config>(
  flow: InfrastructureFlow<Config, InfrastructureStatus, unknown>,
  request: InfrastructureRequest<unknown>,
  operation: 'reconcile' | 'delete',
): Config {
  const issues: FieldIssue[] = [];
  const clusterIssue = checkDns1123Label(request.cluster, 'cluster');
  if (clusterIssue) issues.push(clusterIssue);
  if (typeof request.region !== 'string' || request.region.length === 0) {
    issues.push({ path: 'region', message: 'is required' });
  }
  if (request.state !== undefined) {
    const state = validateInfrastructureState(request.state, { provider: flow.provider, path: 'state' });
    if (!state.success) issues.push(...state.issues);
  }
  const validation = flow.schema.validate(request.config);
  if (!validation.success) issues.push(...validation.issues);
  const context = { provider: flow.provider, operation };
  if (issues.length > 0 || !validation.success) {
    throw invalidArgument(`invalid ${flow.what} request`, issues, context);
  }
  // On update the immutable fields stay: compare with what the earlier reconcile recorded.
  if (operation === 'reconcile' && flow.checkUpdate) {
    const changes = flow.checkUpdate(request.state, validation.data);
    if (changes.length > 0) throw invalidArgument(`invalid ${flow.what} config update`, changes, context);
  }
  return validation.data;
}

/**
 * Builds an {@link InfrastructureProvider} from a cloud's {@link InfrastructureFlow}: validation
 * before any call, the reconcile as a kit step graph with the state reported after every step (and
 * kept when a step fails, so the next attempt resumes), delete with no state a no-op.
 *
 * @example
 * ```ts
 * export const createGcpInfrastructureProvider = (context) =>
 *   createInfrastructureProvider({ provider: 'gcp', schema, plan, status, delete: deleteAll, ... });
 * ```
 */
export function createInfrastructureProvider<Config, Status extends InfrastructureStatus, Context>(
  flow: InfrastructureFlow<Config, Status, Context>,
): InfrastructureProvider<Config, Status> {
  const logger = flow.logger ?? silentLogger;
  const { provider } = flow;

  return {
    specificationVersion: 'v1',
    provider,

    validateConfig(config: unknown): Config {
      return flow.schema.parse(config);
    },

    async reconcile(request, callOptions = {}) {
      const config = checkRequest(flow, request, 'reconcile');
      const signal = callSignal(callOptions, { provider, operation: 'reconcile' });
      const state = new InfrastructureStateBook(provider, request.state);
      let order: string[] = [];
      const emit = createStateEmitter(callOptions, () => state.snapshot(order));
      const context = flow.createContext({
        request: request as InfrastructureRequest<Config>,
        config,
        state,
        signal,
        saveState: emit,
        operation: 'reconcile',
      });
      const steps = flow.plan(context);
      order = steps.map((step) => step.name);
      state.retainSteps(order);
      const before = JSON.stringify(state.snapshot(order));
      logger.info({ provider, cluster: request.cluster, steps: order.length }, 'reconciling infrastructure');
      try {
        await runStepGraph(steps, {
          provider,
          signal,
          retry: flow.stepRetry,
          isRetryable: (error) => flow.isStepRetryable(error),
          onStepDone: async (name) => {
            logger.debug({ provider, cluster: request.cluster, step: name }, 'infrastructure step done');
            state.complete(name);
            await emit();
          },
        });
      } catch (error) {
        // Keep what a failed step created (a resource still pending, say) for the next attempt.
        if (JSON.stringify(state.snapshot(order)) !== before) await emit().catch(() => {});
        throw flow.toError(error, { operation: 'reconcile', signal });
      }
      try {
        return { status: await flow.status(context), state: state.snapshot(order) };
      } catch (error) {
        throw flow.toError(error, { operation: 'reconcile', signal });
      }
    },

    async delete(request, callOptions = {}) {
      const config = checkRequest(flow, request, 'delete');
      const signal = callSignal(callOptions, { provider, operation: 'delete' });
      if (!request.state) return;
      const state = new InfrastructureStateBook(provider, request.state);
      const emit = createStateEmitter(callOptions, () => state.snapshot());
      const context = flow.createContext({
        request: request as InfrastructureRequest<Config>,
        config,
        state,
        signal,
        saveState: emit,
        operation: 'delete',
      });
      logger.info({ provider, cluster: request.cluster }, 'deleting infrastructure');
      try {
        await flow.delete(context);
      } catch (error) {
        throw flow.toError(error, { operation: 'delete', signal });
      }
    },
  };
}
