import { invalidArgument, TrellisError } from '@trellis/core';
import type { InfrastructureFlowInput } from '@trellis/provider-kit';
import type { InfrastructureArm } from './azure-infrastructure-arm.js';
import type { AzureInfrastructureConfig } from './azure-infrastructure-config.js';
import { type AzureInfrastructureNames, clusterTag } from './azure-infrastructure-names.js';
import type { AzureProviderContext } from './azure-settings.js';

/** Everything a reconcile or delete step needs. */
export interface AzureInfrastructureContext extends InfrastructureFlowInput<AzureInfrastructureConfig> {
  readonly azure: AzureProviderContext;
  readonly cluster: string;
  /** The request's region: the location of everything Trellis makes. */
  readonly location: string;
  readonly names: AzureInfrastructureNames;
  readonly arm: InfrastructureArm;
  /** The tags on everything Trellis makes: the cluster's ownership tag in Azure's legal form. */
  readonly tags: Record<string, string>;
}

/** True when a resource carries the cluster's ownership tag. */
export function isOwned(
  context: AzureInfrastructureContext,
  tags: Record<string, string> | undefined,
): boolean {
  return tags?.[clusterTag(context.cluster)] !== undefined;
}

/** `AlreadyExists`: a resource with Trellis' name exists but is someone else's. */
export function notOurs(context: AzureInfrastructureContext, what: string): TrellisError {
  return new TrellisError({
    code: 'AlreadyExists',
    provider: 'azure',
    operation: context.operation,
    message: `${what} exists but is not cluster ${context.cluster}'s (no ${clusterTag(context.cluster)} tag, not in the state); Trellis neither adopts nor deletes it`,
  });
}

/** `InvalidArgument` for a bring-your-own resource the config names and ARM does not have. */
export function missingUserResource(
  context: AzureInfrastructureContext,
  path: string,
  what: string,
): TrellisError {
  return invalidArgument(`${what} does not exist`, [{ path, message: `${what} does not exist` }], {
    provider: 'azure',
    operation: context.operation,
  });
}

/** The ids of the sub-resources a resource references (`[{ id }]`), lowercased for comparison. */
export function referencedIds(value: unknown): string[] {
  return ((value as Array<{ id?: string }> | undefined) ?? [])
    .map((entry) => entry.id?.toLowerCase())
    .filter((id): id is string => id !== undefined)
    .sort();
}
