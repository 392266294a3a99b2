import { canceled } from './errors.js';

/** Options every contract operation accepts. */
export interface CallOptions {
  /** Aborting rejects the call with a `Canceled` error (`DeadlineExceeded` for a timeout signal). */
  signal?: AbortSignal;
  /**
   * A point in time after which the call rejects with `DeadlineExceeded`.
   * Combined with {@link CallOptions.signal}.
   */
  deadline?: Date;
}

/** One signal that aborts when the caller's signal aborts or the deadline passes. */
export function resolveSignal(options: CallOptions = {}): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (options.signal) signals.push(options.signal);
  if (options.deadline)
    signals.push(AbortSignal.timeout(Math.max(0, options.deadline.getTime() - Date.now())));
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** Throws the `Canceled` / `DeadlineExceeded` error when the signal has aborted. */
export function throwIfAborted(
  signal: AbortSignal | undefined,
  context: { provider?: string; operation?: string } = {},
): void {
  if (signal?.aborted) throw canceled(signal.reason, context);
}
