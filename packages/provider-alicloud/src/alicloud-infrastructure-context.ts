import { randomUUID } from 'node:crypto';
import { type CreatedResource, TrellisError } from '@trellis/core';
import { type InfrastructureFlowInput, type StepRetryOptions, waitForOperation } from '@trellis/provider-kit';
import type { AlicloudInfrastructureConfig } from './alicloud-infrastructure-config.js';
import { ownedTags } from './alicloud-infrastructure-names.js';
import type { AlicloudProviderContext } from './alicloud-settings.js';
import type { EcsClient } from './ecs-client.js';
import type { VpcClient } from './vpc-client.js';

/** Timings of the infrastructure provider; the defaults suit real Alibaba Cloud, tests shrink them. */
export interface AlicloudInfrastructureTiming {
  /** First interval between polls of a resource's status (Gardener polls every 5 s). @default 2000 */
  readonly pollIntervalMs: number;
  /** Longest interval between polls. @default 10000 */
  readonly maxPollIntervalMs: number;
  /** How long a resource may take to become `Available` (or to go away). @default 600000 (10 min) */
  readonly waitTimeoutMs: number;
  /** Retries of a failed step on throttling, 5xx and resources still changing. */
  readonly stepRetry: StepRetryOptions;
  /** Retries of a deletion refused with `DependencyViolation.*` (dependents still going away). */
  readonly deleteRetry: StepRetryOptions;
}

/** Defaults of {@link AlicloudInfrastructureTiming}. */
export const DEFAULT_ALICLOUD_INFRASTRUCTURE_TIMING: AlicloudInfrastructureTiming = {
  pollIntervalMs: 2_000,
  maxPollIntervalMs: 10_000,
  waitTimeoutMs: 10 * 60_000,
  stepRetry: { attempts: 6, baseDelayMs: 1_000, maxDelayMs: 15_000 },
  deleteRetry: { attempts: 20, baseDelayMs: 1_000, maxDelayMs: 15_000 },
};

/** Everything a reconcile or delete step needs. */
export interface AlicloudInfrastructureContext extends InfrastructureFlowInput<AlicloudInfrastructureConfig> {
  readonly alicloud: AlicloudProviderContext;
  readonly cluster: string;
  readonly region: string;
  readonly timing: AlicloudInfrastructureTiming;
  readonly vpc: () => VpcClient;
  readonly ecs: () => EcsClient;
}

/**
 * Runs one call through the provider's rate-limited, retrying API. Creates are safe to repeat: each
 * carries a `ClientToken`, so a repeat after a lost answer is answered with the first result.
 */
export function call<T>(
  context: AlicloudInfrastructureContext,
  action: string,
  send: () => Promise<T>,
): Promise<T> {
  return context.alicloud.api.call(action, send, { operation: context.operation, signal: context.signal });
}

/** The Alibaba Cloud code of a failed call (`InvalidVpcId.NotFound`), mapped to a TrellisError or not. */
export function alicloudCodeOf(error: unknown): string | undefined {
  const source = TrellisError.isInstance(error) ? error.cause : error;
  const code = (source as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the call failed with one of `codes`, or a code under one of them (`DependencyViolation` → `DependencyViolation.VSwitch`). */
export function hasAlicloudCode(error: unknown, ...codes: string[]): boolean {
  const code = alicloudCodeOf(error);
  return code !== undefined && codes.some((wanted) => code === wanted || code.startsWith(`${wanted}.`));
}

/**
 * Every item of a `PageNumber`/`PageSize` listing (the VPC API's), 50 per page. The kit's
 * `paginate` is for token pages; these pages end when `TotalCount` items have been read.
 */
export async function describeAll<Item>(
  context: AlicloudInfrastructureContext,
  action: string,
  fetchPage: (
    pageNumber: number,
    pageSize: number,
  ) => Promise<{ items: Item[] | undefined; total: number | undefined }>,
): Promise<Item[]> {
  const all: Item[] = [];
  for (let page = 1; page <= 1_000; page++) {
    const { items = [], total = 0 } = await call(context, action, () => fetchPage(page, 50));
    all.push(...items);
    if (items.length === 0 || all.length >= total) return all;
  }
  throw new TrellisError({
    code: 'OutOfRange',
    provider: 'alicloud',
    operation: context.operation,
    message: `${action} listed more than 1000 pages`,
  });
}

/** Polls `read` until `done` holds for what it returns (`undefined`: gone). */
export function waitUntil<T>(
  context: AlicloudInfrastructureContext,
  what: string,
  read: () => Promise<T | undefined>,
  done: (found: T | undefined) => boolean,
): Promise<T | undefined> {
  const { timing } = context;
  return waitForOperation({
    poll: async () => {
      const found = await read();
      return done(found) ? { done: true, result: found } : { done: false };
    },
    initialDelayMs: timing.pollIntervalMs,
    maxDelayMs: timing.maxPollIntervalMs,
    timeoutMs: timing.waitTimeoutMs,
    what,
    context: { provider: 'alicloud', operation: context.operation },
    signal: context.signal,
  });
}

/** Tags (as a request's `Tag` model) of the cluster's resource named `name`, for a create or a Describe* call. */
export function ownedTagFilter<Tag>(
  context: AlicloudInfrastructureContext,
  name: string,
  Tag: new (value: { key: string; value: string }) => Tag,
): Tag[] {
  return ownedTags(context.cluster, name).map((tag) => new Tag(tag));
}

/** How {@link ensureOwnedResource} finds, creates and records one resource. */
export interface OwnedResource<Found> {
  /** State key (`vpc`, `vswitch/eu-central-1a`). */
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  /** For messages (`VPC`, `vSwitch`). */
  readonly what: string;
  byId(id: string): Promise<Found | undefined>;
  /** The resources carrying the cluster's tag and this name (where it would be). */
  owned(): Promise<Found[]>;
  /** Sends the create with `clientToken` and its tags; returns the new id. */
  create(clientToken: string): Promise<string | undefined>;
  id(found: Found): string;
  /** True once it can be used (`Available`). */
  ready(found: Found): boolean;
  /** Facts to record with it (CIDR, zone, ...). */
  attributes?(found: Found): CreatedResource['attributes'];
  /**
   * What else the step does with it once it is ready (a security group's rules), before it is
   * recorded: a resource is recorded as its step completes, never while another step's mark is saved.
   */
  finish?(found: Found): Promise<void>;
}

/** Statuses of a resource on its way out (an interrupted delete): not one to reconcile onto. */
const GOING = new Set(['Deleting', 'Releasing']);

/** The resource, unless it is being deleted. */
function usable<Found>(found: Found | undefined): Found | undefined {
  const status = (found as { status?: unknown } | undefined)?.status;
  return typeof status === 'string' && GOING.has(status) ? undefined : found;
}

/**
 * Finds a resource by the id the state records, else by the cluster's tag and its name, else
 * creates it: a write-ahead mark with a fresh `ClientToken` is saved first (a resumed step reuses
 * the mark's token, so the cloud answers a repeat with the resource the lost call made), and the
 * create carries the tags, so there is no moment the resource exists untagged. Then waits until it
 * is ready and records it. A resource being deleted (an interrupted delete) is passed over: a new one
 * is made with a new token.
 */
export async function ensureOwnedResource<Found>(
  context: AlicloudInfrastructureContext,
  resource: OwnedResource<Found>,
): Promise<Found> {
  const { state } = context;
  const recorded = state.id(resource.key);
  let found: Found | undefined = recorded ? usable(await resource.byId(recorded)) : undefined;
  // Gone or going: forget it, so the write-ahead mark of its replacement can be saved.
  if (recorded && !found) state.remove(resource.key);
  if (!found) {
    const owned = (await resource.owned()).filter((candidate) => usable(candidate) !== undefined);
    if (owned.length > 1) {
      throw new TrellisError({
        code: 'OutOfRange',
        provider: 'alicloud',
        operation: context.operation,
        message: `${owned.length} ${resource.what}s are named ${resource.name} and tagged for cluster ${context.cluster} (${owned.map(resource.id).join(', ')}); delete the extra ones`,
      });
    }
    found = owned[0];
  }
  let id = found ? resource.id(found) : undefined;
  if (!id) {
    const mark = state.get(resource.key)?.attributes?.clientToken;
    const clientToken = typeof mark === 'string' ? mark : randomUUID();
    state.markPending(resource.key, { kind: resource.kind, name: resource.name, clientToken });
    await context.saveState();
    id = await resource.create(clientToken);
    if (!id) throw new Error(`the create of ${resource.what} ${resource.name} returned no id`);
  }
  const createdId = id;
  const ready = await waitUntil(
    context,
    `${resource.what} ${createdId}`,
    () => resource.byId(createdId),
    (current) => current !== undefined && resource.ready(current),
  );
  if (!ready) throw new Error(`${resource.what} ${createdId} vanished`);
  await resource.finish?.(ready);
  state.set(resource.key, {
    id: createdId,
    kind: resource.kind,
    managed: true,
    ...(resource.attributes ? { attributes: resource.attributes(ready) } : {}),
  });
  return ready;
}

/** The id recorded under `key`, which a step before recorded. */
export function recordedId(context: AlicloudInfrastructureContext, key: string): string {
  const id = context.state.id(key);
  if (!id) throw new Error(`step ${key} has not run`);
  return id;
}
