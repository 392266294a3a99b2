import { randomUUID } from 'node:crypto';
import type { iam_v1 } from '@googleapis/iam';
import { type CreatedResource, TrellisError } from '@trellis/core';
import { type InfrastructureFlowInput, isPending } from '@trellis/provider-kit';
import type { networkClients } from './gcp-compute-clients.js';
import type { GcpInfrastructureConfig } from './gcp-infrastructure-config.js';
import type { GcpInfrastructureNames } from './gcp-infrastructure-names.js';
import type { GcpInfrastructureTiming } from './gcp-infrastructure-timing.js';
import { type ComputeOperation, waitForComputeOperation } from './gcp-operations.js';
import type { GcpProviderContext } from './gcp-settings.js';

/** Everything a reconcile or delete step needs. */
export interface GcpInfrastructureContext extends InfrastructureFlowInput<GcpInfrastructureConfig> {
  readonly gcp: GcpProviderContext;
  readonly project: string;
  readonly cluster: string;
  readonly region: string;
  readonly names: GcpInfrastructureNames;
  readonly timing: GcpInfrastructureTiming;
  readonly compute: ReturnType<typeof networkClients>;
  readonly iam: () => iam_v1.Iam;
}

/** A partial URL GCE accepts wherever a resource is referenced. */
export const links = {
  network: (project: string, name: string) => `projects/${project}/global/networks/${name}`,
  subnetwork: (project: string, region: string, name: string) =>
    `projects/${project}/regions/${region}/subnetworks/${name}`,
  address: (project: string, region: string, name: string) =>
    `projects/${project}/regions/${region}/addresses/${name}`,
};

/** The description Trellis puts on what it creates: what a later call recognises as its own. */
export function ownedDescription(what: string, cluster: string): string {
  return `Trellis-managed ${what} of cluster ${cluster}`;
}

/** True when GCE answered "in use by another resource" (a dependent not gone yet). */
export function isResourceInUse(error: unknown): boolean {
  const text = `${(error as { message?: string } | undefined)?.message ?? ''} ${
    (error as { cause?: { message?: string } } | undefined)?.cause?.message ?? ''
  }`;
  return /resourceInUseByAnotherResource|is already being used by|resource is not ready/i.test(text);
}

/** Runs one compute read through the rate-limited API; `undefined` when GCE says 404. */
export async function getOrUndefined<T>(
  context: GcpInfrastructureContext,
  action: string,
  send: () => Promise<[T, ...unknown[]]>,
): Promise<T | undefined> {
  try {
    const [found] = await context.gcp.api.call(action, send, {
      operation: context.operation,
      signal: context.signal,
    });
    return found;
  } catch (error) {
    if (TrellisError.hasCode(error, 'NotFound')) return undefined;
    throw error;
  }
}

/**
 * Sends a compute mutation with a `requestId` (so the API's retries of it are answered with the
 * first operation) and waits for its operation.
 */
export async function mutate(
  context: GcpInfrastructureContext,
  action: string,
  send: (requestId: string) => Promise<[{ latestResponse?: unknown }, ...unknown[]]>,
  requestId: string = randomUUID(),
): Promise<void> {
  const [started] = await context.gcp.api.call(action, () => send(requestId), {
    operation: context.operation,
    signal: context.signal,
  });
  await waitForComputeOperation(
    context.gcp,
    started.latestResponse as ComputeOperation,
    context.operation,
    context.signal,
  );
}

/** What {@link ensureNamedResource} needs to find, create and record one resource. */
export interface NamedResource<Resource> {
  /** State key (`network`, `subnet/nodes`). */
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  /** The compute collection, for rate limits and messages (`networks`). */
  readonly collection: string;
  /** What it is, for the description and messages (`nodes subnet`). */
  readonly what: string;
  get(): Promise<[Resource, ...unknown[]]>;
  insert(requestId: string): Promise<[{ latestResponse?: unknown }, ...unknown[]]>;
  /** Facts to record with it (CIDR, ...). */
  attributes?(resource: Resource): CreatedResource['attributes'];
}

/**
 * Gets a resource by its name or creates it: a found one must carry Trellis' description for the
 * cluster (else `AlreadyExists`: someone else's); before the insert a write-ahead mark with the
 * `requestId` is saved, so a crash between the call and the save of its result leaves a state that
 * still names the resource, and a retried step reuses the `requestId`.
 */
export async function ensureNamedResource<Resource extends { description?: string | null }>(
  context: GcpInfrastructureContext,
  resource: NamedResource<Resource>,
): Promise<Resource> {
  const { state } = context;
  const description = ownedDescription(resource.what, context.cluster);
  // A resource the state already records (not a mark) is the cluster's even when someone changed
  // its description; the step writes it back as it should be.
  const recorded = state.get(resource.key);
  const known = recorded !== undefined && !isPending(recorded) && recorded.id === resource.name;
  const record = (found: Resource) => {
    if (found.description !== description && !known) {
      throw new TrellisError({
        code: 'AlreadyExists',
        provider: 'gcp',
        operation: context.operation,
        message: `${resource.collection} ${resource.name} exists but is not cluster ${context.cluster}'s (description: ${JSON.stringify(found.description ?? '')})`,
      });
    }
    state.set(resource.key, {
      id: resource.name,
      kind: resource.kind,
      ...(resource.attributes ? { attributes: resource.attributes(found) } : {}),
    });
    return found;
  };
  const existing = await getOrUndefined(context, `${resource.collection}.get`, () => resource.get());
  if (existing) return record(existing);
  const pending = state.get(resource.key)?.attributes?.clientToken;
  const requestId = typeof pending === 'string' ? pending : randomUUID();
  state.markPending(resource.key, { kind: resource.kind, name: resource.name, clientToken: requestId });
  await context.saveState();
  try {
    await mutate(context, `${resource.collection}.insert`, resource.insert, requestId);
  } catch (error) {
    if (!TrellisError.hasCode(error, 'AlreadyExists')) throw error;
  }
  const created = await getOrUndefined(context, `${resource.collection}.get`, () => resource.get());
  if (!created) {
    throw new TrellisError({
      code: 'NotFound',
      provider: 'gcp',
      operation: context.operation,
      message: `${resource.collection} ${resource.name} is not visible after its insert`,
    });
  }
  return record(created);
}

/** Deletes a resource by name and waits; a missing one is success. */
export async function deleteNamed(
  context: GcpInfrastructureContext,
  collection: string,
  send: (requestId: string) => Promise<[{ latestResponse?: unknown }, ...unknown[]]>,
): Promise<void> {
  try {
    await mutate(context, `${collection}.delete`, send);
  } catch (error) {
    if (!TrellisError.hasCode(error, 'NotFound')) throw error;
  }
}
