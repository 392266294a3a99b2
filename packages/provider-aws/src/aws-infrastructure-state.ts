import type { CreatedResource, InfrastructureState } from '@trellis/core';

/** The provider type written into the state. */
export const AWS_PROVIDER = 'aws';

/**
 * The mutable working copy of an {@link InfrastructureState} during one reconcile or delete.
 * Snapshots are plain JSON in a stable order, so reconciling twice yields an identical state.
 */
export class InfrastructureStateBook {
  readonly #resources = new Map<string, CreatedResource>();
  readonly #completed = new Set<string>();

  constructor(state?: InfrastructureState) {
    if (state && state.provider !== AWS_PROVIDER) {
      throw new Error(`state was written by provider "${state.provider}", not "${AWS_PROVIDER}"`);
    }
    for (const [key, resource] of Object.entries(state?.resources ?? {})) this.#resources.set(key, resource);
    for (const step of state?.completedSteps ?? []) this.#completed.add(step);
  }

  /** The resource recorded under `key`. */
  get(key: string): CreatedResource | undefined {
    return this.#resources.get(key);
  }

  /** The id recorded under `key`. */
  id(key: string): string | undefined {
    return this.#resources.get(key)?.id;
  }

  /** Records (or replaces) a resource. */
  set(key: string, resource: CreatedResource): void {
    this.#resources.set(key, resource);
  }

  /** Forgets a resource (after deleting it). */
  remove(key: string): void {
    this.#resources.delete(key);
  }

  /** Every recorded resource. */
  entries(): Array<[string, CreatedResource]> {
    return [...this.#resources.entries()];
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
    return { version: 'v1', provider: AWS_PROVIDER, resources, completedSteps };
  }
}
