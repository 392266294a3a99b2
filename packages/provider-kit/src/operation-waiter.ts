import { canceled, TrellisError } from '@trellis/core';
import { type Clock, systemClock } from './clock.js';

/** What one poll found. */
export type OperationProgress<Result> =
  | { readonly done: false }
  | { readonly done: true; readonly result: Result }
  | { readonly done: true; readonly error: unknown };

/** Options of {@link waitForOperation}. */
export interface WaitForOperationOptions<Result> {
  /** Reads the operation (or resource) once and says whether it is done, and how it ended. */
  readonly poll: (attempt: number) => Promise<OperationProgress<Result>>;
  /** First interval between polls. @default 1000 */
  readonly initialDelayMs?: number;
  /** The interval grows by this factor per poll. @default 1.5 */
  readonly factor?: number;
  /** Longest interval. @default 15_000 */
  readonly maxDelayMs?: number;
  /** How long to wait in all before giving up with `DeadlineExceeded`. @default 15 minutes */
  readonly timeoutMs?: number;
  /** A cloud-suggested interval for the next poll (`Retry-After` of an ARM poll), when it gave one. */
  readonly nextDelayMs?: () => number | undefined;
  /** What is waited for, for the timeout's message (`zone operation operation-123`). */
  readonly what?: string;
  /** For errors. */
  readonly context?: { readonly provider?: string; readonly operation?: string };
  readonly signal?: AbortSignal | undefined;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Polls a long-running operation until it is done, failed, the timeout passes or the signal
 * aborts, backing off between polls. One shape serves GCE zone/region/global operations, ARM
 * long-running operations and "wait until the status is X" loops (Alibaba `Pending → Available`,
 * EC2 `pending → running`). The first poll runs at once. A failed operation throws its error.
 *
 * @example
 * ```ts
 * const vpc = await waitForOperation({
 *   poll: async () => {
 *     const vpc = await describeVpc(id);
 *     return vpc.Status === 'Available' ? { done: true, result: vpc } : { done: false };
 *   },
 *   initialDelayMs: 500,
 *   timeoutMs: 120_000,
 *   what: `VPC ${id}`,
 *   signal,
 * });
 * ```
 */
export async function waitForOperation<Result>(options: WaitForOperationOptions<Result>): Promise<Result> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const factor = options.factor ?? 1.5;
  const maxDelayMs = options.maxDelayMs ?? 15_000;
  const started = clock.now();
  let delayMs = options.initialDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw canceled(options.signal.reason, options.context);
    const progress = await options.poll(attempt);
    if (progress.done) {
      if ('error' in progress) throw progress.error;
      return progress.result;
    }
    const elapsed = clock.now() - started;
    const wait = Math.min(options.nextDelayMs?.() ?? delayMs, maxDelayMs);
    if (elapsed + wait > timeoutMs) {
      throw new TrellisError({
        code: 'DeadlineExceeded',
        message: `${options.what ?? 'operation'} was not done after ${Math.round(elapsed / 1000)} s`,
        ...options.context,
      });
    }
    await clock.sleep(wait, options.signal);
    delayMs = Math.min(maxDelayMs, delayMs * factor);
  }
}
