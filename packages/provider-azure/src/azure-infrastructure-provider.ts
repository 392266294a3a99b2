import { type InfrastructureProvider, TrellisError } from '@trellis/core';
import { createInfrastructureProvider, type StepRetryOptions } from '@trellis/provider-kit';
import { toTrellisError } from './azure-errors.js';
import { infrastructureArm } from './azure-infrastructure-arm.js';
import {
  type AzureInfrastructureConfig,
  azureInfrastructureConfigSchema,
} from './azure-infrastructure-config.js';
import type { AzureInfrastructureContext } from './azure-infrastructure-context.js';
import { deleteAzureInfrastructure } from './azure-infrastructure-delete.js';
import { clusterTag, infrastructureNames } from './azure-infrastructure-names.js';
import { planReconcile } from './azure-infrastructure-reconcile.js';
import {
  type AzureInfrastructureStatus,
  buildAzureInfrastructureStatus,
} from './azure-infrastructure-status.js';
import { checkAzureInfrastructureStateUpdate } from './azure-infrastructure-update.js';
import type { AzureProviderContext } from './azure-settings.js';

// Loads @azure/arm-network and @azure/arm-resources: reached through the provider's lazy entry.

/** Retries of a failed infrastructure step. */
export interface AzureInfrastructureTiming {
  readonly stepRetry: StepRetryOptions;
}

export const DEFAULT_AZURE_INFRASTRUCTURE_TIMING: AzureInfrastructureTiming = {
  stepRetry: { attempts: 5, baseDelayMs: 2_000, maxDelayMs: 30_000 },
};

/**
 * A failed step is retried (it reads its resources again first) on throttling, 5xx and "in use"
 * answers, and on `NotFound` of what a step before just made.
 */
function isStepRetryable(error: unknown): boolean {
  return TrellisError.isInstance(error) && (error.retryable || error.code === 'NotFound');
}

/**
 * Creates the Azure infrastructure provider (Gardener's Azure Infrastructure actuator): the
 * cluster's resource group, VNet, route table, security group, NAT gateways with their public IPs
 * and nodes subnets as a graph of idempotent steps with the state saved after each; delete removes
 * exactly what it made.
 */
export function createAzureInfrastructureProvider(
  azure: AzureProviderContext,
  timing: Partial<AzureInfrastructureTiming> = {},
): InfrastructureProvider<AzureInfrastructureConfig, AzureInfrastructureStatus> {
  const resolved = { ...DEFAULT_AZURE_INFRASTRUCTURE_TIMING, ...timing };
  return createInfrastructureProvider<
    AzureInfrastructureConfig,
    AzureInfrastructureStatus,
    AzureInfrastructureContext
  >({
    provider: 'azure',
    what: 'Azure infrastructure',
    schema: azureInfrastructureConfigSchema,
    logger: azure.logger,
    stepRetry: resolved.stepRetry,
    isStepRetryable,
    checkUpdate: checkAzureInfrastructureStateUpdate,
    createContext: (input) => ({
      ...input,
      azure,
      cluster: input.request.cluster,
      location: input.request.region,
      names: infrastructureNames(input.request.cluster, input.config),
      arm: infrastructureArm(azure, input.operation, input.signal),
      tags: { [clusterTag(input.request.cluster)]: '1' },
    }),
    plan: planReconcile,
    status: buildAzureInfrastructureStatus,
    delete: deleteAzureInfrastructure,
    toError: (error, context) => toTrellisError(error, context),
  });
}
