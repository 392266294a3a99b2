import { type ErrorCode, TrellisError } from '@trellis/core';
import { codeForHttpStatus, isNetworkError, settledError } from '@trellis/provider-kit';

/** ARM codes that mean "no capacity or quota" (MCM's `GetMatchingErrorCode`, plus the zonal variants). */
const EXHAUSTED = new Set([
  'AllocationFailed',
  'ZonalAllocationFailed',
  'OverconstrainedAllocationRequest',
  'OverconstrainedZonalAllocationRequest',
  'SkuNotAvailable',
  'QuotaExceeded',
  'ResourceQuotaExceeded',
  'OperationNotAllowed:quota',
]);
const THROTTLED = new Set([
  'TooManyRequests',
  'Throttling',
  'RequestLimitExceeded',
  'SubscriptionRequestsThrottled',
]);
const NOT_FOUND = new Set([
  'ResourceNotFound',
  'NotFound',
  'ResourceGroupNotFound',
  'ParentResourceNotFound',
]);
/** "Another resource still uses it": worth retrying once that one is gone. */
export const IN_USE = new Set([
  'NicInUse',
  'InUseSubnetCannotBeDeleted',
  'InUseNatGatewayCannotBeDeleted',
  'InUseRouteTableCannotBeDeleted',
  'InUseNetworkSecurityGroupCannotBeDeleted',
  'PublicIPAddressInUse',
  'VnetInUse',
  'OperationNotAllowed:attached',
  'AnotherOperationInProgress',
  'RetryableError',
]);

interface RestErrorLike {
  code?: string;
  statusCode?: number;
  message?: string;
  details?: { error?: { code?: string; details?: Array<{ code?: string }> } };
}

/**
 * The ARM error codes an error carries: `RestError.code`, the body's `error.details[].code`, and for
 * a failed long-running operation the code inside its message (`The long-running operation has
 * failed. AllocationFailed. ...`), which core-lro throws as a plain `Error`.
 */
export function armErrorCodes(error: RestErrorLike): string[] {
  const message = error.message ?? '';
  const codes = [
    error.code,
    error.details?.error?.code,
    ...(error.details?.error?.details ?? []).map((detail) => detail.code),
  ];
  const lro = /long-running operation has failed\.\s*([A-Za-z]+)\./.exec(message);
  if (lro) codes.push(lro[1]);
  const qualified = codes.filter((code): code is string => typeof code === 'string' && code.length > 0);
  return qualified.map((code) => {
    if (code !== 'OperationNotAllowed') return code;
    if (/exceed\w*.*quota|quota/i.test(message)) return 'OperationNotAllowed:quota';
    return /attached|in use/i.test(message) ? 'OperationNotAllowed:attached' : code;
  });
}

/** Core's code of an ARM error. */
export function azureErrorCode(error: RestErrorLike): ErrorCode | undefined {
  const codes = armErrorCodes(error);
  const message = error.message ?? '';
  if (error.statusCode === 429 || codes.some((code) => THROTTLED.has(code))) return 'Throttled';
  if (
    codes.some((code) => EXHAUSTED.has(code)) ||
    (codes.includes('BadRequest') && /not\s+supported/i.test(message))
  ) {
    return 'ResourceExhausted';
  }
  if (codes.some((code) => NOT_FOUND.has(code))) return 'NotFound';
  if (codes.includes('AuthorizationFailed')) return 'PermissionDenied';
  if (
    codes.some((code) =>
      /^(InvalidAuthenticationToken|ExpiredAuthenticationToken|AuthenticationFailed)/.test(code),
    )
  ) {
    return 'Unauthenticated';
  }
  if (codes.some((code) => IN_USE.has(code))) return 'Unavailable';
  if (codes.some((code) => /^Invalid|^BadRequest|LocationRequired|MissingSubscription/.test(code)))
    return 'InvalidArgument';
  return codeForHttpStatus(error.statusCode);
}

/** Removes what looks like a bearer token or a client secret from a message. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g, '$1***')
    .replace(/(client_secret=)[^&\s]+/gi, '$1***')
    .replace(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '***');
}

/**
 * Maps anything an ARM call throws to a {@link TrellisError}; "in use by another resource" and
 * connection failures become a retryable `Unavailable`.
 */
export function toTrellisError(
  error: unknown,
  context: { operation: string; provider?: string; signal?: AbortSignal | undefined },
): TrellisError {
  const provider = context.provider ?? 'azure';
  const { operation } = context;
  const settled = settledError(error, { ...context, provider });
  if (settled) return settled;
  const record = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  let code = azureErrorCode(record);
  if (!code && isNetworkError(error)) code = 'Unavailable';
  const message = typeof record.message === 'string' && record.message ? record.message : String(error);
  const requestId = (
    error as { response?: { headers?: { get?(name: string): string | undefined } } }
  )?.response?.headers?.get?.('x-ms-request-id');
  return new TrellisError({
    code: code ?? 'Internal',
    message: redactSecrets(`${operation} failed: ${message}`),
    provider,
    operation,
    ...(requestId ? { requestId } : {}),
    ...(code === 'Unavailable' ? { retryable: true } : {}),
    cause: error,
  });
}

/** The value of a read, or `undefined` when it failed with `NotFound`. */
export async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (TrellisError.hasCode(error, 'NotFound')) return undefined;
    throw error;
  }
}
