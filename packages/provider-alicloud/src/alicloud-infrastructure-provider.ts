import { type InfrastructureProvider, invalidArgument, TrellisError } from '@trellis/core';
import { createInfrastructureProvider } from '@trellis/provider-kit';
import { toTrellisError } from './alicloud-errors.js';
import {
  type AlicloudInfrastructureConfig,
  alicloudInfrastructureConfigSchema,
} from './alicloud-infrastructure-config.js';
import {
  type AlicloudInfrastructureContext,
  type AlicloudInfrastructureTiming,
  DEFAULT_ALICLOUD_INFRASTRUCTURE_TIMING,
} from './alicloud-infrastructure-context.js';
import { deleteAlicloudInfrastructure } from './alicloud-infrastructure-delete.js';
import { planAlicloudReconcile } from './alicloud-infrastructure-reconcile.js';
import {
  type AlicloudInfrastructureStatus,
  buildAlicloudInfrastructureStatus,
} from './alicloud-infrastructure-status.js';
import { checkAlicloudInfrastructureStateUpdate } from './alicloud-infrastructure-update.js';
import type { AlicloudProviderContext } from './alicloud-settings.js';
import { ecsClient } from './ecs-client.js';
import { vpcClient } from './vpc-client.js';

// Loads @alicloud/vpc20160428 and @alicloud/ecs20140526: reached through the provider's lazy entry.

/** The Alibaba Cloud infrastructure provider. */
export type AlicloudInfrastructureProvider = InfrastructureProvider<
  AlicloudInfrastructureConfig,
  AlicloudInfrastructureStatus
>;

/**
 * A failed step is retried (it looks its resources up again first) on throttling, 5xx and
 * resources in a passing state, and on `NotFound` of what a step before just made.
 */
function isStepRetryable(error: unknown): boolean {
  return TrellisError.isInstance(error) && (error.retryable || error.code === 'NotFound');
}

/**
 * Creates the Alibaba Cloud infrastructure provider (Gardener's Alicloud Infrastructure actuator):
 * a cluster's VPC, security group, vSwitches, Enhanced NAT gateway, EIPs and SNAT entries as a graph
 * of idempotent steps, every create carrying its `ClientToken` and tags, the state saved after each
 * step and before each create; delete in Gardener's order, sparing what the user brought.
 */
export function createAlicloudInfrastructureProvider(
  alicloud: AlicloudProviderContext,
  timing: Partial<AlicloudInfrastructureTiming> = {},
): AlicloudInfrastructureProvider {
  const resolved: AlicloudInfrastructureTiming = { ...DEFAULT_ALICLOUD_INFRASTRUCTURE_TIMING, ...timing };
  return createInfrastructureProvider<
    AlicloudInfrastructureConfig,
    AlicloudInfrastructureStatus,
    AlicloudInfrastructureContext
  >({
    provider: 'alicloud',
    what: 'Alibaba Cloud infrastructure',
    schema: alicloudInfrastructureConfigSchema,
    logger: alicloud.logger,
    stepRetry: resolved.stepRetry,
    isStepRetryable,
    checkUpdate: checkAlicloudInfrastructureStateUpdate,
    createContext: (input) => {
      // The SDK clients are the provider's region's: a request for another region is a mistake.
      if (input.request.region !== alicloud.region)
        throw invalidArgument(
          'invalid Alibaba Cloud infrastructure request',
          [
            {
              path: 'region',
              message: `is ${input.request.region}, but the provider is set up for ${alicloud.region}`,
            },
          ],
          { provider: 'alicloud', operation: input.operation },
        );
      return {
        ...input,
        alicloud,
        cluster: input.request.cluster,
        region: input.request.region,
        timing: resolved,
        vpc: () => vpcClient(alicloud.clients),
        ecs: () => ecsClient(alicloud.clients),
      };
    },
    plan: planAlicloudReconcile,
    status: buildAlicloudInfrastructureStatus,
    delete: deleteAlicloudInfrastructure,
    toError: (error, context) => toTrellisError(error, { ...context, provider: 'alicloud' }),
  });
}
