import { canceled, TrellisError } from '@trellis/core';
import { type Clock, systemClock } from './clock.js';

/** What to do after one failed attempt, as the provider decides it for its cloud's errors. */
export type RetryDecision =
  | { readonly retry: false }
  | {
      readonly retry: true;
      /** The cloud said when to come back (`Retry-After`, `x-ms-retry-after-ms`, ...): wait this long. */
      readonly afterMs?: number;
      /** A throttling answer: backs off from the throttled base delay and costs more budget. */
      readonly throttled?: boolean;
    };

/** The default decision: retry `Throttled` and retryable `Unavailable` errors. */
export function defaultRetryDecision(error: unknown): RetryDecision {
  if (TrellisError.hasCode(error, 'Throttled')) return { retry: true, throttled: true };
  if (TrellisError.hasCode(error, 'Unavailable') && (error as TrellisError).retryable) return { retry: true };
  return { retry: false };
}

/**
 * A retry budget shared by every call of one provider instance (the AWS SDK's "retry quota"):
 * each retry withdraws tokens, each success pays some back, so a cloud that is down or throttling
 * hard gets fewer retries from everyone instead of a retry storm.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget(500);
 * if (budget.withdraw(5)) retryNow(); else giveUp();
 * ```
 */
export class RetryBudget {
  readonly capacity: number;
  #tokens: number;

  constructor(capacity = 500) {
    if (!(capacity >= 0)) throw new RangeError('a retry budget needs a capacity of 0 or more');
    this.capacity = capacity;
    this.#tokens = capacity;
  }

  /** Tokens left. */
  get remaining(): number {
    return this.#tokens;
  }

  /** Takes `cost` tokens when there are that many; false (and nothing taken) otherwise. */
  withdraw(cost: number): boolean {
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Pays tokens back, up to the capacity. */
  refund(amount: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + amount);
  }
}

/** How long to back off: exponential, capped, with jitter. */
export interface BackoffOptions {
  /** First delay; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Longest delay. */
  readonly maxDelayMs: number;
  /**
   * `full`: uniformly 0..delay (AWS's "full jitter", best against synchronized clients);
   * `equal`: delay/2 plus 0..delay/2 (never retries at once). @default 'full'
   */
  readonly jitter?: 'full' | 'equal';
}

/** The backoff before retry number `attempt` (1 = after the first failure). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return options.jitter === 'equal' ? cap / 2 + random() * (cap / 2) : Math.floor(random() * cap);
}

/** Options of {@link retry}. */
export interface RetryOptions extends BackoffOptions {
  /** Attempts, the first included. */
  readonly attempts: number;
  /** Base delay after a throttling answer. @default baseDelayMs */
  readonly throttledBaseDelayMs?: number;
  /** Decides per error whether (and when) to retry. @default {@link defaultRetryDecision} */
  readonly decide?: (error: unknown, attempt: number) => RetryDecision;
  /** A budget shared with other calls; a retry it cannot pay for is not made. */
  readonly budget?: RetryBudget;
  /** Budget cost of a retry. @default 5, 10 after throttling */
  readonly retryCost?: (decision: RetryDecision & { retry: true }) => number;
  /** Aborts the waits (and the next attempt) with `Canceled` / `DeadlineExceeded`. */
  readonly signal?: AbortSignal | undefined;
  /** No retry whose backoff would end after this point: the last error is thrown instead. */
  readonly deadline?: Date | undefined;
  /** For errors raised on abort. */
  readonly context?: { readonly provider?: string; readonly operation?: string };
  /** Called before each backoff (logging). */
  readonly onRetry?: (event: { attempt: number; delayMs: number; error: unknown }) => void;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: () => number;
}

const DEFAULT_RETRY_COST = 5;
const DEFAULT_THROTTLE_RETRY_COST = 10;
const SUCCESS_REFUND = 1;

/**
 * Runs `action` until it succeeds, the decision says stop, the attempts or the shared budget are
 * spent, or the signal aborts; the error of the last attempt is thrown as it is (map cloud errors
 * to core's `TrellisError` inside `action`, so the caller sees `Throttled` / `Unavailable` with the
 * cloud's error as `cause`). A success refunds the budget what its last retry cost (or 1).
 *
 * @example
 * ```ts
 * const instance = await retry(() => gce.get(request).catch(toTrellisError), {
 *   attempts: 8, baseDelayMs: 100, maxDelayMs: 20_000, budget, signal,
 *   decide: (error) => retryAfter(error) ?? defaultRetryDecision(error),
 * });
 * ```
 */
export async function retry<T>(action: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const decide = options.decide ?? defaultRetryDecision;
  const attempts = Math.max(1, options.attempts);
  let spent = 0;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw canceled(options.signal.reason, options.context);
    try {
      const result = await action(attempt);
      options.budget?.refund(spent > 0 ? spent : SUCCESS_REFUND);
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw canceled(options.signal.reason, options.context);
      const decision = decide(error, attempt);
      if (!decision.retry || attempt >= attempts) throw error;
      const cost =
        options.retryCost?.(decision) ??
        (decision.throttled ? DEFAULT_THROTTLE_RETRY_COST : DEFAULT_RETRY_COST);
      const base = decision.throttled
        ? (options.throttledBaseDelayMs ?? options.baseDelayMs)
        : options.baseDelayMs;
      const delayMs = decision.afterMs ?? backoffDelay(attempt, { ...options, baseDelayMs: base }, random);
      if (options.deadline && Date.now() + delayMs >= options.deadline.getTime()) throw error;
      if (options.budget && !options.budget.withdraw(cost)) throw error;
      spent = cost;
      options.onRetry?.({ attempt, delayMs, error });
      await clock.sleep(delayMs, options.signal).catch(() => {
        throw canceled(options.signal?.reason, options.context);
      });
    }
  }
}

/**
 * Reads a "come back later" hint from response headers: `retry-after-ms`, `x-ms-retry-after-ms`,
 * `Retry-After` (seconds or an HTTP date) and Alibaba's `x-acs-retry-after` (milliseconds).
 * Undefined when none is there or it cannot be read.
 */
export function retryAfterMs(
  headers: Readonly<Record<string, string | string[] | undefined>> | Headers | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const read = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return Array.isArray(entry) ? entry[0] : entry;
  };
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms', 'x-acs-retry-after']) {
    const value = Number(read(name));
    if (read(name) !== undefined && Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = read('retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
