import { type ErrorCode, TrellisError } from '@trellis/core';
import { codeForHttpStatus, isNetworkError, settledError } from '@trellis/provider-kit';

/** Operation and HTTP error codes that mean "no capacity or quota", as Gardener classifies them. */
const EXHAUSTED =
  /QUOTA|RESOURCE_POOL_EXHAUSTED|ZONE_RESOURCE_POOL_EXHAUSTED|RESOURCE_EXHAUSTED|does not exist in zone/;
const THROTTLED = /rateLimitExceeded|userRateLimitExceeded|RATE_LIMIT_EXCEEDED|Rate Limit Exceeded/i;

interface GoogleErrorLike {
  code?: number | string;
  httpStatusCode?: number;
  /** gaxios (the IAM client): the HTTP status. */
  status?: number | string;
  response?: { status?: number };
  message?: string;
  reason?: string;
  errors?: Array<{ reason?: string; message?: string }>;
}

/** The core code of a compute error (the SDK's `GoogleError`, or an operation's `error.errors[]`). */
export function gcpErrorCode(error: GoogleErrorLike): ErrorCode | undefined {
  const message = error.message ?? '';
  const reasons = [error.reason, ...(error.errors ?? []).map((item) => item.reason)]
    .filter(Boolean)
    .join(' ');
  // The compute SDK reports the HTTP status as `httpStatusCode` (and a gRPC `code`), gaxios (the
  // IAM client) as `status`, and the storage SDK's `ApiError` puts it in `code`.
  const status =
    error.httpStatusCode ??
    (typeof error.status === 'number' ? error.status : undefined) ??
    error.response?.status ??
    (typeof error.code === 'number' && error.code >= 100 ? error.code : undefined);
  if (
    status === 429 ||
    THROTTLED.test(reasons) ||
    (status === 403 && (error.code === 8 || THROTTLED.test(message)))
  ) {
    return 'Throttled';
  }
  if (EXHAUSTED.test(`${String(error.code)} ${reasons} ${message}`)) return 'ResourceExhausted';
  if (status === 409 || /alreadyExists|already exists/.test(`${reasons} ${message}`)) return 'AlreadyExists';
  if (status === undefined && error.code === 5) return 'NotFound';
  if (status === undefined && error.code === 4) return 'DeadlineExceeded';
  if (status === undefined && error.code === 14) return 'Unavailable';
  return codeForHttpStatus(status);
}

/** Removes what looks like a private key or a bearer token from a message. */
export function redactSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '***')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g, '$1***')
    .replace(/\bya29\.[A-Za-z0-9._-]+/g, '***');
}

/**
 * Maps anything a compute call throws to a {@link TrellisError}: the SDK's `GoogleError` by its
 * HTTP status, gRPC code, reasons and message; connection failures to a retryable `Unavailable`.
 */
export function toTrellisError(
  error: unknown,
  context: { operation: string; provider?: string; signal?: AbortSignal | undefined },
): TrellisError {
  const provider = context.provider ?? 'gcp';
  const { operation } = context;
  const settled = settledError(error, { ...context, provider });
  if (settled) return settled;
  const record = (typeof error === 'object' && error !== null ? error : {}) as GoogleErrorLike;
  let code = gcpErrorCode(record);
  if (!code && isNetworkError(error)) code = 'Unavailable';
  const message = typeof record.message === 'string' && record.message ? record.message : String(error);
  return new TrellisError({
    code: code ?? 'Internal',
    message: redactSecrets(`${operation} failed: ${message}`),
    provider,
    operation,
    cause: error,
  });
}

/** An operation that ended `DONE` with `error.errors[]`, as a core error (Gardener joins the messages). */
export function operationError(
  errors: ReadonlyArray<{ code?: string | null; message?: string | null }>,
  operation: string,
): TrellisError {
  const message = errors.map((item) => `${item.code ?? ''}: ${item.message ?? ''}`).join('; ');
  const last = errors.at(-1)?.code ?? '';
  const code: ErrorCode = EXHAUSTED.test(last)
    ? 'ResourceExhausted'
    : THROTTLED.test(last)
      ? 'Throttled'
      : /NOT_FOUND/.test(last)
        ? 'NotFound'
        : /ALREADY_EXISTS/.test(last)
          ? 'AlreadyExists'
          : /INVALID|BAD_REQUEST/.test(last)
            ? 'InvalidArgument'
            : 'Internal';
  return new TrellisError({
    code,
    message: redactSecrets(`${operation} failed: ${message}`),
    provider: 'gcp',
    operation,
  });
}
