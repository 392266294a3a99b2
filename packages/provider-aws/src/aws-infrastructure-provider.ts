import {
  checkDns1123Label,
  type InfrastructureProvider,
  type InfrastructureRequest,
  invalidArgument,
  type Logger,
  resolveSignal,
  silentLogger,
  TrellisError,
  throwIfAborted,
  validateInfrastructureState,
} from '@trellis/core';
import { createStateEmitter, InfrastructureStateBook, runStepGraph } from '@trellis/provider-kit';
import { type AwsApi, createAwsApi } from './aws-api.js';
import { toTrellisError } from './aws-errors.js';
import { type AwsInfrastructureConfig, awsInfrastructureConfigSchema } from './aws-infrastructure-config.js';
import {
  type AwsInfrastructureClients,
  type AwsInfrastructureTiming,
  DEFAULT_INFRASTRUCTURE_TIMING,
  type InfrastructureContext,
} from './aws-infrastructure-context.js';
import { deleteInfrastructure } from './aws-infrastructure-delete.js';
import { planReconcile } from './aws-infrastructure-reconcile.js';
import { type AwsInfrastructureStatus, buildAwsInfrastructureStatus } from './aws-infrastructure-status.js';
import { checkInfrastructureStateUpdate } from './aws-infrastructure-update.js';

import { AwsClients } from './aws-settings.js';
import { ec2Client } from './ec2-client.js';
import { iamClient } from './iam-client.js';

const AWS_PROVIDER = 'aws';

/** What {@link createAwsInfrastructureProvider} needs. */
export interface AwsInfrastructureProviderOptions {
  /** EC2 and IAM clients, or the provider's `AwsClients` (which builds them on first use). */
  readonly clients: AwsInfrastructureClients | AwsClients;
  /** Rate limiting, retries and error mapping shared with the rest of the provider. @default a new one with EC2's limits */
  readonly api?: AwsApi;
  /** @default silent */
  readonly logger?: Logger;
  /** Poll intervals, timeouts and retry budgets. @default {@link DEFAULT_INFRASTRUCTURE_TIMING} */
  readonly timing?: Partial<AwsInfrastructureTiming>;
}

/** The AWS infrastructure provider. */
export type AwsInfrastructureProvider = InfrastructureProvider<
  AwsInfrastructureConfig,
  AwsInfrastructureStatus
>;

/**
 * A failed step is retried (it looks its resources up again first) on throttling and 5xx, and on
 * `NotFound` from a call naming an id just created: EC2 and IAM are eventually consistent, so a new
 * VPC or role can be unknown to the next call for a moment.
 */
function isStepRetryable(error: unknown): boolean {
  return TrellisError.isInstance(error) && (error.retryable || error.code === 'NotFound');
}

function checkRequest(request: InfrastructureRequest<unknown>, operation: string): AwsInfrastructureConfig {
  const issues = [];
  const clusterIssue = checkDns1123Label(request.cluster, 'cluster');
  if (clusterIssue) issues.push(clusterIssue);
  if (typeof request.region !== 'string' || request.region.length === 0) {
    issues.push({ path: 'region', message: 'is required' });
  }
  if (request.state !== undefined) {
    const state = validateInfrastructureState(request.state, { provider: AWS_PROVIDER, path: 'state' });
    if (!state.success) issues.push(...state.issues);
  }
  const validation = awsInfrastructureConfigSchema.validate(request.config);
  if (!validation.success) {
    issues.push(...validation.issues);
  }
  // On update the immutable fields stay: compare with what the earlier reconcile recorded.
  if (validation.success && operation === 'reconcile' && issues.length === 0) {
    const changes = checkInfrastructureStateUpdate(request.state, validation.data);
    if (changes.length > 0) {
      throw invalidArgument('invalid AWS infrastructure config update', changes, {
        provider: AWS_PROVIDER,
        operation,
      });
    }
  }
  if (issues.length > 0 || !validation.success) {
    throw invalidArgument('invalid AWS infrastructure request', issues, {
      provider: AWS_PROVIDER,
      operation,
    });
  }
  return validation.data;
}

/**
 * Creates the AWS infrastructure provider (Gardener's AWS Infrastructure actuator): reconciles a
 * cluster's VPC, subnets, NAT gateways, route tables, security group, IAM instance profile, key pair
 * and gateway endpoints as a graph of idempotent steps with the state saved after each, and deletes
 * exactly what it created.
 */
export function createAwsInfrastructureProvider(
  options: AwsInfrastructureProviderOptions,
): AwsInfrastructureProvider {
  const timing: AwsInfrastructureTiming = { ...DEFAULT_INFRASTRUCTURE_TIMING, ...options.timing };
  const logger = options.logger ?? silentLogger;
  let api = options.api;

  const contextFor = (
    request: InfrastructureRequest<unknown>,
    config: AwsInfrastructureConfig,
    signal: AbortSignal | undefined,
  ): InfrastructureContext => {
    api ??= createAwsApi({ logger });
    return {
      ec2: options.clients instanceof AwsClients ? ec2Client(options.clients) : options.clients.ec2,
      iam: options.clients instanceof AwsClients ? iamClient(options.clients) : options.clients.iam,
      api,
      cluster: request.cluster,
      region: request.region,
      config,
      state: new InfrastructureStateBook(AWS_PROVIDER, request.state),
      signal,
      logger,
      timing,
      saveState: async () => {},
    };
  };

  return {
    specificationVersion: 'v1',
    provider: AWS_PROVIDER,

    validateConfig(config: unknown): AwsInfrastructureConfig {
      return awsInfrastructureConfigSchema.parse(config);
    },

    async reconcile(request, callOptions = {}) {
      const config = checkRequest(request, 'reconcile');
      const signal = resolveSignal(callOptions);
      throwIfAborted(signal, { provider: AWS_PROVIDER, operation: 'reconcile' });
      const context = contextFor(request, config, signal);
      const steps = planReconcile(context);
      const order = steps.map((step) => step.name);
      context.state.retainSteps(order);
      const emit = createStateEmitter(callOptions, () => context.state.snapshot(order));
      context.saveState = emit;
      const before = JSON.stringify(context.state.snapshot(order));
      logger.info(
        { provider: AWS_PROVIDER, cluster: request.cluster, steps: order.length },
        'reconciling infrastructure',
      );
      try {
        await runStepGraph(steps, {
          provider: AWS_PROVIDER,
          signal,
          retry: timing.stepRetry,
          isRetryable: isStepRetryable,
          onStepDone: async (name) => {
            logger.debug(
              { provider: AWS_PROVIDER, cluster: request.cluster, step: name },
              'infrastructure step done',
            );
            context.state.complete(name);
            await emit();
          },
        });
      } catch (error) {
        // Keep what a failed step created (a NAT gateway still pending, say) for the next attempt.
        if (JSON.stringify(context.state.snapshot(order)) !== before) await emit().catch(() => {});
        throw toTrellisError(error, { operation: 'reconcile', signal });
      }
      return {
        status: buildAwsInfrastructureStatus(config, context.state),
        state: context.state.snapshot(order),
      };
    },

    async delete(request, callOptions = {}) {
      const config = checkRequest(request, 'delete');
      const signal = resolveSignal(callOptions);
      throwIfAborted(signal, { provider: AWS_PROVIDER, operation: 'delete' });
      if (!request.state) return;
      const context = contextFor(request, config, signal);
      const emit = createStateEmitter(callOptions, () => context.state.snapshot());
      context.saveState = emit;
      logger.info({ provider: AWS_PROVIDER, cluster: request.cluster }, 'deleting infrastructure');
      try {
        await deleteInfrastructure(context, emit);
      } catch (error) {
        throw toTrellisError(error, { operation: 'delete', signal });
      }
    },
  };
}
