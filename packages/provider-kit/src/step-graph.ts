import { canceled, TrellisError } from '@trellis/core';
import type { Clock } from './clock.js';
import { type BackoffOptions, retry } from './retry.js';

/** One small idempotent step of a reconcile (or of a delete). */
export interface GraphStep {
  /** Unique step name, e.g. `subnet/eu-west-1a/nodes`. */
  readonly name: string;
  /** Steps that must complete first. */
  readonly dependsOn: readonly string[];
  /** Looks its resource up, creates or fixes it, records it in the state. */
  run(): Promise<void>;
}

/** How failed steps are retried. */
export interface StepRetryOptions extends BackoffOptions {
  /** Attempts per step for retryable errors (throttling, 5xx, resources still changing). */
  readonly attempts: number;
}

/** What a graph run did. */
export interface StepGraphReport {
  /** Steps that succeeded, in the order they finished. */
  readonly completed: readonly string[];
  /** Steps that failed (after their retries), with their errors. */
  readonly failed: ReadonlyArray<{ readonly step: string; readonly error: unknown }>;
  /** Steps never started: a failure or an abort came first. */
  readonly skipped: readonly string[];
}

/** Options of {@link runStepGraph}. */
export interface StepGraphOptions {
  /** Provider type name, for errors. */
  readonly provider: string;
  /** Prefix of each step's operation name in errors. @default 'reconcile' */
  readonly operation?: string;
  readonly signal?: AbortSignal | undefined;
  /** The provider's per-step retry policy. The jitter defaults to `equal` here. */
  readonly retry: StepRetryOptions;
  /** Which step failures to retry. @default retryable `TrellisError`s */
  readonly isRetryable?: (error: unknown, step: string) => boolean;
  /** Runs after each step succeeds: persist the state here, so an interrupted run resumes. */
  readonly onStepDone?: (step: string) => Promise<void> | void;
  /** Receives the report, also when the run fails. */
  readonly onReport?: (report: StepGraphReport) => void;
  readonly clock?: Clock;
}

/** Checks names are unique and every dependency exists and no cycle is present. */
function checkGraph(steps: readonly GraphStep[]): void {
  const byName = new Map<string, GraphStep>();
  for (const step of steps) {
    if (byName.has(step.name)) throw new Error(`step ${step.name} is defined twice`);
    byName.set(step.name, step);
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!byName.has(dependency)) throw new Error(`step ${step.name} depends on unknown step ${dependency}`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw new Error(`steps form a cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dependency of byName.get(name)!.dependsOn) visit(dependency, [...path, name]);
    state.set(name, 'done');
  };
  for (const step of steps) visit(step.name, []);
}

/**
 * Runs a dependency graph of steps: every step whose dependencies are done starts at once, so
 * independent steps run in parallel. Each failed step is retried by the provider's policy; after
 * each success `onStepDone` runs (save the state there). On a failure or an abort no new step
 * starts, the running ones finish (their state is saved), and the first error is thrown
 * (`Canceled` for an abort).
 *
 * @example
 * ```ts
 * const report = await runStepGraph(
 *   [
 *     { name: 'network', dependsOn: [], run: ensureNetwork },
 *     { name: 'subnet/nodes', dependsOn: ['network'], run: ensureNodesSubnet },
 *     { name: 'firewall/internal', dependsOn: ['network'], run: ensureFirewall },
 *   ],
 *   { provider: 'gcp', retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 10_000 }, onStepDone: saveState },
 * );
 * ```
 */
export async function runStepGraph(
  steps: readonly GraphStep[],
  options: StepGraphOptions,
): Promise<StepGraphReport> {
  checkGraph(steps);
  const prefix = options.operation ?? 'reconcile';
  const isRetryable =
    options.isRetryable ?? ((error: unknown) => TrellisError.isInstance(error) && error.retryable);
  const completed: string[] = [];
  const done = new Set<string>();
  const failed: Array<{ step: string; error: unknown }> = [];
  const pending = new Map(steps.map((step) => [step.name, step]));
  const running = new Map<string, Promise<void>>();

  const launch = (step: GraphStep) => {
    pending.delete(step.name);
    const operation = `${prefix}:${step.name}`;
    const promise = retry(() => step.run(), {
      jitter: 'equal',
      ...options.retry,
      decide: (error) => ({ retry: isRetryable(error, step.name) }),
      signal: options.signal,
      context: { provider: options.provider, operation },
      ...(options.clock ? { clock: options.clock } : {}),
    })
      .then(async () => {
        done.add(step.name);
        completed.push(step.name);
        await options.onStepDone?.(step.name);
      })
      .catch((error: unknown) => {
        failed.push({ step: step.name, error });
      })
      .finally(() => running.delete(step.name));
    running.set(step.name, promise);
  };

  for (;;) {
    if (failed.length === 0 && !options.signal?.aborted) {
      for (const step of [...pending.values()]) {
        if (step.dependsOn.every((dependency) => done.has(dependency))) launch(step);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  const report: StepGraphReport = { completed, failed, skipped: [...pending.keys()] };
  options.onReport?.(report);
  if (failed.length > 0) throw failed[0]!.error;
  if (options.signal?.aborted)
    throw canceled(options.signal.reason, { provider: options.provider, operation: prefix });
  return report;
}

/**
 * The delete graph of a reconcile graph: the same steps with their dependencies reversed, so a
 * resource goes only after everything that depends on it is gone.
 *
 * @example
 * ```ts
 * await runStepGraph(reverseStepGraph(reconcileSteps, (step) => () => deleteResourceOf(step)), {
 *   provider: 'gcp', operation: 'delete', retry,
 * });
 * ```
 */
export function reverseStepGraph(
  steps: readonly GraphStep[],
  deleteOf: (step: GraphStep) => () => Promise<void>,
): GraphStep[] {
  checkGraph(steps);
  const dependents = new Map<string, string[]>(steps.map((step) => [step.name, []]));
  for (const step of steps)
    for (const dependency of step.dependsOn) dependents.get(dependency)!.push(step.name);
  return steps.map((step) => ({
    name: step.name,
    dependsOn: dependents.get(step.name)!,
    run: deleteOf(step),
  }));
}
