import { type Logger, silentLogger, type TrellisError, throwIfAborted } from '@trellis/core';
import type { Clock } from './clock.js';
import type { RateLimiter } from './rate-limiter.js';
import { defaultRetryDecision, RetryBudget, type RetryDecision, retry } from './retry.js';

/** Where a cloud error happened, for the provider's error mapping. */
export interface CloudErrorContext {
  /** The contract operation (`createMachine`, `reconcile:vpc`, `save`, ...). */
  readonly operation: string;
  readonly provider: string;
  /** The call's signal: when it has aborted, the error is `Canceled` / `DeadlineExceeded`. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link CloudApi}. */
export interface CloudApiOptions<Class extends string> {
  /** Provider type name, for errors and logs. */
  readonly provider: string;
  /** Client-side token buckets; every attempt takes its tokens first. */
  readonly limiter: RateLimiter<Class>;
  /** Maps anything an SDK call throws to core's `TrellisError` (pass `TrellisError`s through). */
  readonly toError: (error: unknown, context: CloudErrorContext) => TrellisError;
  /** Whether (and when) to retry a mapped error. @default {@link defaultRetryDecision} */
  readonly decide?: (error: TrellisError) => RetryDecision;
  /** Attempts per call, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 500 */
  readonly throttledBaseDelayMs?: number;
  /** @default 20_000 */
  readonly maxDelayMs?: number;
  /** The retry budget shared by every call of this instance, or its capacity. @default 500 */
  readonly retryBudget?: number | RetryBudget;
  /** @default silent */
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Random source of the jitter (tests). @default Math.random */
  readonly random?: () => number;
}

/** Options of one {@link CloudApi.call}. */
export interface CloudCallOptions {
  /** The contract operation, for errors and logs. */
  readonly operation: string;
  /** Aborts the call and every wait for tokens or backoff. */
  readonly signal?: AbortSignal | undefined;
  /** No retry is started that would end after this point. */
  readonly deadline?: Date | undefined;
  /** Resource tokens the call costs (instances started, say). @default 1 */
  readonly resources?: number;
  /**
   * `true`: retry what `decide` allows; `false`: one attempt; `'throttled'`: retry only throttling
   * answers (for creates that are not safe to repeat after a lost response or a 5xx, but that a
   * cloud rejects before acting on when it throttles). @default true
   */
  readonly retry?: boolean | 'throttled';
}

/**
 * Every cloud call of a provider goes through one `CloudApi`: the client-side token buckets of
 * the action's class, then the call, its error mapped to a core `TrellisError`, retried with
 * exponential backoff and full jitter inside a retry budget shared by all calls, honouring the
 * cloud's retry-after hints, the call's deadline and its `AbortSignal`. A throttled answer empties
 * the call's client-side buckets (the cloud's are emptier than ours). A `Throttled` error
 * reaches the caller only once the attempts or the budget are spent, with the cloud's last error
 * as its `cause`.
 *
 * @example
 * ```ts
 * const api = new CloudApi({ provider: 'gcp', limiter, toError: toGcpError });
 * const [instance] = await api.call('instances.get', (signal) => client.get(request, { signal }), {
 *   operation: 'getMachine',
 *   signal,
 * });
 * ```
 */
export class CloudApi<Class extends string = string> {
  readonly provider: string;
  readonly limiter: RateLimiter<Class>;
  readonly #options: CloudApiOptions<Class>;
  readonly #budget: RetryBudget;
  readonly #logger: Logger;

  constructor(options: CloudApiOptions<Class>) {
    this.provider = options.provider;
    this.limiter = options.limiter;
    this.#options = options;
    this.#budget =
      options.retryBudget instanceof RetryBudget
        ? options.retryBudget
        : new RetryBudget(options.retryBudget ?? 500);
    this.#logger = options.logger ?? silentLogger;
  }

  /** What is left of the shared retry budget. */
  get retryBudget(): number {
    return this.#budget.remaining;
  }

  /**
   * Runs one cloud action. `send` receives the signal to hand to the SDK, so an abort also
   * cancels the request in flight.
   */
  call<Output>(
    action: string,
    send: (signal: AbortSignal | undefined) => Promise<Output>,
    options: CloudCallOptions,
  ): Promise<Output> {
    const { operation, signal } = options;
    const context = { operation, provider: this.provider, signal };
    const charges = this.limiter.chargesFor(action, options.resources ?? 1);
    const decide = this.#options.decide ?? defaultRetryDecision;
    const mode = options.retry ?? true;
    return retry(
      async () => {
        throwIfAborted(signal, context);
        try {
          await this.limiter.acquire(charges, signal);
          return await send(signal);
        } catch (error) {
          const mapped = this.#options.toError(error, context);
          // The cloud's bucket is emptier than ours: wait with everyone else until it refills.
          if (mapped.code === 'Throttled') this.limiter.drain(charges);
          throw mapped;
        }
      },
      {
        attempts: mode === false ? 1 : (this.#options.maxAttempts ?? 8),
        baseDelayMs: this.#options.baseDelayMs ?? 100,
        throttledBaseDelayMs: this.#options.throttledBaseDelayMs ?? 500,
        maxDelayMs: this.#options.maxDelayMs ?? 20_000,
        decide: (error) => {
          const decision = decide(error as TrellisError);
          return mode === 'throttled' && !(decision.retry && decision.throttled)
            ? { retry: false }
            : decision;
        },
        budget: this.#budget,
        signal,
        deadline: options.deadline,
        context: { provider: this.provider, operation },
        ...(this.#options.clock ? { clock: this.#options.clock } : {}),
        ...(this.#options.random ? { random: this.#options.random } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          this.#logger.debug(
            {
              provider: this.provider,
              operation,
              action,
              attempt,
              code: (error as TrellisError).code,
              delayMs,
            },
            `retrying ${this.provider} call`,
          ),
      },
    );
  }
}
