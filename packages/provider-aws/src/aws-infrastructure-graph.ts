import { TrellisError, throwIfAborted } from '@trellis/core';

/** One small idempotent step of a reconcile. */
export interface InfrastructureStep {
  /** Unique step name, e.g. `subnet/eu-west-1a/nodes`. */
  readonly name: string;
  /** Steps that must complete first. */
  readonly dependsOn: readonly string[];
  /** Looks its resource up, creates or fixes it, records it in the state. */
  run(): Promise<void>;
}

/** How failed steps are retried. */
export interface StepRetryOptions {
  /** Attempts per step for retryable errors (throttling, 5xx, resources still changing). */
  readonly attempts: number;
  /** First backoff; doubles per attempt, with full jitter. */
  readonly baseDelayMs: number;
  /** Backoff cap. */
  readonly maxDelayMs: number;
}

/** Sleeps `ms`, rejecting with `Canceled` when the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
  throwIfAborted(signal, { provider: 'aws', operation });
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      try {
        throwIfAborted(signal, { provider: 'aws', operation });
      } catch (error) {
        reject(error);
      }
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `action`, retrying retryable `TrellisError`s with exponential backoff and jitter. */
export async function withRetry<T>(
  action: () => Promise<T>,
  options: StepRetryOptions,
  signal: AbortSignal | undefined,
  operation: string,
  isRetryable: (error: unknown) => boolean = (error) => TrellisError.isInstance(error) && error.retryable,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= options.attempts || !isRetryable(error) || signal?.aborted) throw error;
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(cap / 2 + Math.random() * (cap / 2), signal, operation);
    }
  }
}

/**
 * Runs a dependency graph of steps: every step whose dependencies are done starts at once, so
 * independent steps (zones, IAM, key pair) run in parallel. After each step `onStepDone` runs
 * (the caller saves the state there). On failure or abort no new step starts, the running ones
 * finish (their state is saved), and the first error is thrown (`Canceled` for an abort).
 */
export async function runStepGraph(
  steps: readonly InfrastructureStep[],
  options: {
    signal?: AbortSignal;
    retry: StepRetryOptions;
    /** Which step failures to retry. @default retryable `TrellisError`s */
    isRetryable?: (error: unknown) => boolean;
    onStepDone: (step: string) => Promise<void>;
  },
): Promise<void> {
  const names = new Set(steps.map((step) => step.name));
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!names.has(dependency)) throw new Error(`step ${step.name} depends on unknown step ${dependency}`);
    }
  }
  const done = new Set<string>();
  const pending = new Map(steps.map((step) => [step.name, step]));
  const running = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;

  const launch = (step: InfrastructureStep) => {
    pending.delete(step.name);
    const operation = `reconcile:${step.name}`;
    const promise = withRetry(() => step.run(), options.retry, options.signal, operation, options.isRetryable)
      .then(async () => {
        done.add(step.name);
        await options.onStepDone(step.name);
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => running.delete(step.name));
    running.set(step.name, promise);
  };

  for (;;) {
    if (!failure && !options.signal?.aborted) {
      for (const step of [...pending.values()]) {
        if (step.dependsOn.every((dependency) => done.has(dependency))) launch(step);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure) throw failure.error;
  throwIfAborted(options.signal, { provider: 'aws', operation: 'reconcile' });
  if (pending.size > 0) throw new Error(`steps never became ready: ${[...pending.keys()].join(', ')}`);
}
