import { type InfrastructureProvider, type Logger, silentLogger, TrellisError } from '@trellis/core';
import { createInfrastructureProvider } from '@trellis/provider-kit';
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
  return createInfrastructureProvider<
    AwsInfrastructureConfig,
    AwsInfrastructureStatus,
    InfrastructureContext
  >({
    provider: AWS_PROVIDER,
    what: 'AWS infrastructure',
    schema: awsInfrastructureConfigSchema,
    logger,
    stepRetry: timing.stepRetry,
    isStepRetryable,
    checkUpdate: checkInfrastructureStateUpdate,
    createContext: ({ request, config, state, signal, saveState }) => {
      api ??= createAwsApi({ logger });
      return {
        ec2: options.clients instanceof AwsClients ? ec2Client(options.clients) : options.clients.ec2,
        iam: options.clients instanceof AwsClients ? iamClient(options.clients) : options.clients.iam,
        api,
        cluster: request.cluster,
        region: request.region,
        config,
        state,
        signal,
        logger,
        timing,
        saveState,
      };
    },
    plan: planReconcile,
    status: (context) => buildAwsInfrastructureStatus(context.config, context.state),
    delete: (context) => deleteInfrastructure(context, context.saveState),
    toError: toTrellisError,
  });
}
