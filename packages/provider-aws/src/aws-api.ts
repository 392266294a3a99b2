import { type Logger, silentLogger, type TrellisError, throwIfAborted } from '@trellis/core';
import { toTrellisError } from './aws-errors.js';
import type { AwsRateLimiter } from './aws-rate-limiter.js';

/** Options of one {@link AwsApi.call}. */
export interface AwsApiCallOptions {
  /** The contract operation, for errors and logs (`createMachine`, `reconcile:vpc`). */
  operation: string;
  /** Aborts the call (and any wait for tokens or backoff) with `Canceled`. */
  signal?: AbortSignal;
  /** Resource tokens the call costs (instances started or terminated). @default 1 */
  resources?: number;
  /** Retry `Throttled` / `Unavailable` failures. Turn off for calls that are not idempotent. @default true */
  retry?: boolean;
}

/** Options of {@link AwsApi}. */
export interface AwsApiOptions {
  limiter: AwsRateLimiter;
  /** Attempts per call, the first included. @default 8 */
  maxAttempts?: number;
  /** Base of the exponential backoff. @default 100 */
  baseDelayMs?: number;
  /** Base of the backoff after throttling. @default 500 */
  throttledBaseDelayMs?: number;
  /** Longest backoff. @default 20_000 */
  maxDelayMs?: number;
  /** Retry budget shared by every call (as the AWS SDK's retry quota). @default 500 */
  retryBudget?: number;
  logger?: Logger;
  provider?: string;
  /** Random source for the jitter (tests). @default Math.random */
  random?: () => number;
}

const RETRY_COST = 5;
const THROTTLE_RETRY_COST = 10;
const SUCCESS_REFUND = 1;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Every AWS call of the provider goes through here: client-side token buckets per action class,
 * retries of `Throttled` / `Unavailable` with exponential backoff and full jitter inside a shared
 * retry budget, cancellation, and mapping of SDK errors to `TrellisError`s. A `Throttled` error
 * reaches the caller only once the attempts or the budget are spent.
 */
export class AwsApi {
  readonly limiter: AwsRateLimiter;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #throttledBaseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #budgetCapacity: number;
  #budget: number;
  readonly #logger: Logger;
  readonly #provider: string;
  readonly #random: () => number;

  constructor(options: AwsApiOptions) {
    this.limiter = options.limiter;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.#baseDelayMs = options.baseDelayMs ?? 100;
    this.#throttledBaseDelayMs = options.throttledBaseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 20_000;
    this.#budgetCapacity = options.retryBudget ?? 500;
    this.#budget = this.#budgetCapacity;
    this.#logger = options.logger ?? silentLogger;
    this.#provider = options.provider ?? 'aws';
    this.#random = options.random ?? Math.random;
  }

  /** What is left of the shared retry budget. */
  get retryBudget(): number {
    return this.#budget;
  }

  /**
   * Runs one AWS action. `send` receives the abort signal to pass to the SDK:
   * `api.call('ec2', 'DescribeInstances', (abortSignal) => ec2.send(command, { abortSignal }), options)`.
   */
  async call<Output>(
    service: 'ec2' | 'iam' | 's3',
    action: string,
    send: (abortSignal: AbortSignal | undefined) => Promise<Output>,
    options: AwsApiCallOptions,
  ): Promise<Output> {
    const { operation, signal } = options;
    const context = { operation, provider: this.#provider, signal };
    const charges = service === 's3' ? [] : this.limiter.chargesFor(service, action, options.resources ?? 1);
    const maxAttempts = options.retry === false ? 1 : this.#maxAttempts;
    let spent = 0;
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal, context);
      let failure: TrellisError;
      try {
        await this.limiter.acquire(charges, signal);
        const output = await send(signal);
        this.#budget = Math.min(this.#budgetCapacity, this.#budget + (spent > 0 ? spent : SUCCESS_REFUND));
        return output;
      } catch (error) {
        failure = toTrellisError(error, context);
      }
      const retryable = failure.code === 'Throttled' || (failure.code === 'Unavailable' && failure.retryable);
      const cost = failure.code === 'Throttled' ? THROTTLE_RETRY_COST : RETRY_COST;
      if (!retryable || attempt >= maxAttempts || this.#budget < cost) throw failure;
      this.#budget -= cost;
      spent = cost;
      const base = failure.code === 'Throttled' ? this.#throttledBaseDelayMs : this.#baseDelayMs;
      const delayMs = Math.floor(this.#random() * Math.min(this.#maxDelayMs, base * 2 ** (attempt - 1)));
      this.#logger.debug(
        { provider: this.#provider, operation, action, attempt, code: failure.code, delayMs },
        'retrying AWS call',
      );
      try {
        await sleep(delayMs, signal);
      } catch {
        throwIfAborted(signal, context);
      }
    }
  }
}
