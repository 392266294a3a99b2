import { type InfrastructureProvider, TrellisError } from '@trellis/core';
import { createInfrastructureProvider } from '@trellis/provider-kit';
import { networkClients } from './gcp-compute-clients.js';
import { toTrellisError } from './gcp-errors.js';
import { iamClient } from './gcp-iam-client.js';
import { type GcpInfrastructureConfig, gcpInfrastructureConfigSchema } from './gcp-infrastructure-config.js';
import type { GcpInfrastructureContext } from './gcp-infrastructure-context.js';
import { deleteGcpInfrastructure } from './gcp-infrastructure-delete.js';
import { infrastructureNames } from './gcp-infrastructure-names.js';
import { planReconcile } from './gcp-infrastructure-reconcile.js';
import { buildGcpInfrastructureStatus, type GcpInfrastructureStatus } from './gcp-infrastructure-status.js';
import {
  DEFAULT_GCP_INFRASTRUCTURE_TIMING,
  type GcpInfrastructureTiming,
} from './gcp-infrastructure-timing.js';
import { checkGcpInfrastructureStateUpdate } from './gcp-infrastructure-update.js';
import type { GcpProviderContext } from './gcp-settings.js';

// Loads @google-cloud/compute and @googleapis/iam: reached through the provider's lazy entry.

/** The GCP infrastructure provider. */
export type GcpInfrastructureProvider = InfrastructureProvider<
  GcpInfrastructureConfig,
  GcpInfrastructureStatus
>;

/**
 * A failed step is retried (it looks its resources up again first) on throttling and 5xx, and on
 * `NotFound` of what a step before just made (a network not yet visible to the subnet insert).
 */
function isStepRetryable(error: unknown): boolean {
  return TrellisError.isInstance(error) && (error.retryable || error.code === 'NotFound');
}

/**
 * Creates the GCP infrastructure provider (Gardener's GCP Infrastructure actuator): reconciles a
 * cluster's VPC network, subnets, Cloud Router, Cloud NAT, firewall rules and nodes' service account
 * as a graph of idempotent steps with the state saved after each, and deletes exactly what it made.
 */
export function createGcpInfrastructureProvider(
  gcp: GcpProviderContext,
  timing: Partial<GcpInfrastructureTiming> = {},
): GcpInfrastructureProvider {
  const resolved: GcpInfrastructureTiming = { ...DEFAULT_GCP_INFRASTRUCTURE_TIMING, ...timing };
  return createInfrastructureProvider<
    GcpInfrastructureConfig,
    GcpInfrastructureStatus,
    GcpInfrastructureContext
  >({
    provider: 'gcp',
    what: 'GCP infrastructure',
    schema: gcpInfrastructureConfigSchema,
    logger: gcp.logger,
    stepRetry: resolved.stepRetry,
    isStepRetryable,
    checkUpdate: checkGcpInfrastructureStateUpdate,
    createContext: (input) => ({
      ...input,
      gcp,
      project: gcp.project,
      cluster: input.request.cluster,
      region: input.request.region,
      names: infrastructureNames(input.request.cluster, input.config),
      timing: resolved,
      compute: networkClients(gcp.clients),
      iam: () => iamClient(gcp.clients),
    }),
    plan: planReconcile,
    status: buildGcpInfrastructureStatus,
    delete: deleteGcpInfrastructure,
    toError: (error, context) => toTrellisError(error, context),
  });
}
