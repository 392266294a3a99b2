import type { CreatedResource, InfrastructureCallOptions, InfrastructureState } from '@trellis/core';

/** What a write-ahead mark records before a create call, so the resource can be found again. */
export interface PendingCreate {
  /** Resource kind (`vpc`, `network`, ...). */
  readonly kind: string;
  /** The idempotency token the create call carries (client token, request id), if the cloud has one. */
  readonly clientToken?: string;
  /** The name the resource will carry. */
  readonly name?: string;
  /** Further facts to find it by (a tag value, say). Plain JSON. */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The mutable working copy of an {@link InfrastructureState} during one reconcile or delete.
 * Snapshots are plain JSON in a stable order, so reconciling twice yields an identical state.
 *
 * It also keeps write-ahead marks: {@link InfrastructureStateBook.markPending} records, before a
 * create call is sent, what the resource will be called and which token it carries; a process
 * killed between the call and the save of its result leaves the mark, and the next reconcile or
 * delete looks the resource up by it ({@link InfrastructureStateBook.pending}) instead of leaking it.
 *
 * @example
 * ```ts
 * const book = new InfrastructureStateBook('gcp', request.state);
 * book.markPending('network', { kind: 'network', name: `${cluster}`, clientToken });
 * await save(book.snapshot());
 * const network = await insertNetwork(...);
 * book.set('network', { id: network.selfLink, kind: 'network' }); // replaces the mark
 * ```
 */
export class InfrastructureStateBook {
  readonly provider: string;
  readonly #resources = new Map<string, CreatedResource>();
  readonly #completed = new Set<string>();

  constructor(provider: string, state?: InfrastructureState) {
    if (state && state.provider !== provider) {
      throw new Error(`state was written by provider "${state.provider}", not "${provider}"`);
    }
    this.provider = provider;
    for (const [key, resource] of Object.entries(state?.resources ?? {})) this.#resources.set(key, resource);
    for (const step of state?.completedSteps ?? []) this.#completed.add(step);
  }

  /** The resource recorded under `key` (a pending mark included). */
  get(key: string): CreatedResource | undefined {
    return this.#resources.get(key);
  }

  /** The id recorded under `key`; undefined for a pending mark. */
  id(key: string): string | undefined {
    const resource = this.#resources.get(key);
    return resource && !isPending(resource) ? resource.id : undefined;
  }

  /** Records (or replaces) a resource. */
  set(key: string, resource: CreatedResource): void {
    this.#resources.set(key, resource);
  }

  /** Forgets a resource (after deleting it). */
  remove(key: string): void {
    this.#resources.delete(key);
  }

  /** Every recorded resource, pending marks included. */
  entries(): Array<[string, CreatedResource]> {
    return [...this.#resources.entries()];
  }

  /** Records that a create is about to be sent (see the class docs); an id recorded under `key` wins. */
  markPending(key: string, create: PendingCreate): void {
    if (this.id(key)) return;
    this.#resources.set(key, {
      id: '',
      kind: create.kind,
      attributes: {
        ...create.attributes,
        pending: true,
        ...(create.clientToken ? { clientToken: create.clientToken } : {}),
        ...(create.name ? { name: create.name } : {}),
      },
    });
  }

  /** The pending marks: creates that may have reached the cloud without their result being saved. */
  pending(): Array<[string, CreatedResource]> {
    return this.entries().filter(([, resource]) => isPending(resource));
  }

  /** Marks a step completed. */
  complete(step: string): void {
    this.#completed.add(step);
  }

  /** Forgets completed steps that are not in `steps` (steps a config change made obsolete). */
  retainSteps(steps: readonly string[]): void {
    for (const step of [...this.#completed]) if (!steps.includes(step)) this.#completed.delete(step);
  }

  /** Forgets every completed step (delete). */
  clearSteps(): void {
    this.#completed.clear();
  }

  /** A plain JSON snapshot; completed steps follow `stepOrder`, resources are sorted by key. */
  snapshot(stepOrder: readonly string[] = []): InfrastructureState {
    const rank = new Map(stepOrder.map((step, index) => [step, index]));
    const completedSteps = [...this.#completed].sort(
      (first, second) =>
        (rank.get(first) ?? Number.MAX_SAFE_INTEGER) - (rank.get(second) ?? Number.MAX_SAFE_INTEGER) ||
        first.localeCompare(second),
    );
    const resources: Record<string, CreatedResource> = {};
    for (const key of [...this.#resources.keys()].sort()) {
      resources[key] = structuredClone(this.#resources.get(key)!);
    }
    return { version: 'v1', provider: this.provider, resources, completedSteps };
  }
}

/** True for a write-ahead mark (a create sent, its result not yet recorded). */
export function isPending(resource: CreatedResource): boolean {
  return resource.attributes?.pending === true;
}

/**
 * Hands state snapshots to the caller's `onState` one at a time, in the order they were taken,
 * so a slow save never sees an older state after a newer one.
 */
export function createStateEmitter(
  options: InfrastructureCallOptions,
  snapshot: () => InfrastructureState,
): () => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return () => {
    const state = snapshot();
    chain = chain.then(() => options.onState?.(state));
    return chain;
  };
}

/**
 * The resource a saved state records under `key`, unless it is only a write-ahead mark (a create
 * whose result was never saved): what an update check compares a new config with.
 */
export function recordedResource(state: InfrastructureState, key: string): CreatedResource | undefined {
  const resource = state.resources[key];
  return resource && !isPending(resource) ? resource : undefined;
}
