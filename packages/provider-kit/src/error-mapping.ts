import { canceled, type ErrorCode, TrellisError } from '@trellis/core';

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * True for a failure of the connection itself (reset, refused, timed out, DNS), as Node, undici
 * and the cloud SDKs report it: such a call may or may not have reached the cloud, and is worth
 * retrying as `Unavailable` where the call is safe to repeat.
 */
export function isNetworkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const record = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof record.code === 'string' && NETWORK_ERROR_CODES.has(record.code)) return true;
  const message = typeof record.message === 'string' ? record.message : '';
  if (/socket hang up|other side closed|ECONNRESET|ECONNREFUSED|fetch failed/i.test(message)) return true;
  return record.cause !== undefined && record.cause !== error && isNetworkError(record.cause);
}

/** True for an abort as the platform reports it (`AbortError`, `ABORT_ERR`). */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const record = error as { name?: unknown; code?: unknown };
  return record.name === 'AbortError' || record.code === 'ABORT_ERR';
}

/**
 * Core's code for an HTTP status, where the cloud's own error code said nothing more precise:
 * 429 `Throttled`, 501 `Unimplemented`, other 5xx `Unavailable`, 401 `Unauthenticated`,
 * 403 `PermissionDenied`, 404 `NotFound`, 409 `AlreadyExists`, 400 and 422 `InvalidArgument`.
 */
export function codeForHttpStatus(status: number | undefined): ErrorCode | undefined {
  if (status === undefined) return undefined;
  if (status === 429) return 'Throttled';
  if (status === 501) return 'Unimplemented';
  if (status >= 500) return 'Unavailable';
  if (status === 401) return 'Unauthenticated';
  if (status === 403) return 'PermissionDenied';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'AlreadyExists';
  if (status === 400 || status === 422) return 'InvalidArgument';
  return undefined;
}

/**
 * The start every cloud's error mapping shares: a `TrellisError` passes through, and a call whose
 * signal was aborted (or that failed with an abort error) is `Canceled`. `undefined`: the cloud's
 * own code table applies.
 *
 * @example
 * ```ts
 * export function toTrellisError(error: unknown, context: CloudErrorContext): TrellisError {
 *   const settled = settledError(error, context);
 *   if (settled) return settled;
 *   // ... the cloud's codes
 * }
 * ```
 */
export function settledError(
  error: unknown,
  context: {
    readonly provider: string;
    readonly operation: string;
    readonly signal?: AbortSignal | undefined;
  },
): TrellisError | undefined {
  if (TrellisError.isInstance(error)) return error;
  const { provider, operation } = context;
  if (context.signal?.aborted) return canceled(context.signal.reason, { provider, operation });
  if (isAbortError(error)) return canceled(error, { provider, operation });
  return undefined;
}
