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

/**
 * The signal of a call that is starting: {@link resolveSignal} of its options, and the call fails at
 * once (`Canceled`, or `DeadlineExceeded` for a passed deadline) when that signal has already fired.
 *
 * @example
 * ```ts
 * async function getMachine(ref: MachineRef, options?: CallOptions) {
 *   const signal = callSignal(options, { provider: 'aws', operation: 'getMachine' });
 *   // ... every wait and request takes `signal`
 * }
 * ```
 */
export function callSignal(
  options: CallOptions | undefined,
  context: { provider?: string; operation?: string } = {},
): AbortSignal | undefined {
  const signal = resolveSignal(options);
  throwIfAborted(signal, context);
  return signal;
}
