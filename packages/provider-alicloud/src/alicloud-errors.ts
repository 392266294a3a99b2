import { type ErrorCode, TrellisError } from '@trellis/core';
import {
  type CloudErrorContext,
  codeForHttpStatus,
  isNetworkError,
  settledError,
} from '@trellis/provider-kit';

/** Codes of a create the cloud cannot serve now: no stock, no quota, not in this zone. */
const EXHAUSTED_CODES = new Set([
  'OperationDenied.NoStock',
  'OperationDenied.ZoneSystemCategoryNotMatch',
  'OperationDenied.CloudSSDNotSupported',
  'OperationDenied.ZoneNotAllowed',
  'Zone.NotOnSale',
  'Zone.NotOpen',
  'InvalidVpcZone.NotSupported',
  'InvalidZoneId.NotSupportShareEncryptedImage',
  'InvalidResourceType.NotSupported',
  'InvalidInstanceType.ZoneNotSupported',
  'ResourceNotAvailable',
]);

const UNAUTHENTICATED_CODES = new Set([
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'SignatureDoesNotMatch',
  'InvalidSecurityToken.Expired',
  'InvalidSecurityToken.Malformed',
  'SignatureNonceUsed',
  'InvalidTimeStamp.Expired',
]);

/**
 * The resource is in a state the call does not take yet (a Pending instance; also every
 * `Incorrect*Status`, `DependencyViolation.*` while dependents go away, `TaskConflict`): retry later.
 */
const UNAVAILABLE_CODES = new Set([
  'IncorrectInstanceStatus',
  'IncorrectStatus',
  'ServiceUnavailable',
  'InternalError',
  'UnknownError',
  'OperationConflict',
  'LastTokenProcessing',
]);

/** The core code of an Alibaba Cloud error code (and HTTP status). */
export function alicloudErrorCode(code: string | undefined, status: number | undefined): ErrorCode {
  if (code) {
    if (code.startsWith('Throttling')) return 'Throttled';
    if (EXHAUSTED_CODES.has(code) || code.startsWith('QuotaExceed')) return 'ResourceExhausted';
    if (UNAUTHENTICATED_CODES.has(code)) return 'Unauthenticated';
    if (code.startsWith('Forbidden') || code === 'NoPermission') return 'PermissionDenied';
    if (code === 'IdempotentParameterMismatch') return 'AlreadyExists';
    if (
      UNAVAILABLE_CODES.has(code) ||
      /^Incorrect\w*Status|^IncorrectStatus\.|^DependencyViolation|^TaskConflict/.test(code)
    )
      return 'Unavailable';
    if (code.endsWith('.NotFound')) return 'NotFound';
    if (code.startsWith('InvalidAction')) return 'Unimplemented';
    if (code.startsWith('Invalid') || code.startsWith('MissingParameter')) return 'InvalidArgument';
  }
  return codeForHttpStatus(status) ?? 'Internal';
}

/** What a failed call of either Alibaba Cloud SDK generation (Tea SDKs, ali-oss) says. */
export interface AlicloudFailure {
  readonly record: Record<string, unknown>;
  /** The HTTP status (`statusCode` of the Tea SDKs, `status` of ali-oss); none when no answer came. */
  readonly status: number | undefined;
  /** No answer at all (a reset, a refused connection): `code` is then Node's, not the cloud's. */
  readonly network: boolean;
  readonly cloudCode: string | undefined;
}

/**
 * Reads a failed call: a TrellisError passes through, an abort is `Canceled`, anything else is
 * taken apart for a store's or an API's own code table.
 */
export function readAlicloudFailure(
  error: unknown,
  context: CloudErrorContext,
): TrellisError | AlicloudFailure {
  const settled = settledError(error, context);
  if (settled) return settled;
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const reported = typeof record.statusCode === 'number' ? record.statusCode : record.status;
  const status = typeof reported === 'number' && reported > 0 ? reported : undefined;
  const network = status === undefined && isNetworkError(record);
  const cloudCode = typeof record.code === 'string' && !network ? record.code : undefined;
  return { record, status, network, cloudCode };
}

/**
 * Maps what an Alibaba Cloud SDK call throws (`ClientError`, `ServerError`, `ThrottlingError` with
 * `code`, `statusCode`, `requestId`; pop-core's errors with `code`; network and timeout errors) to a
 * {@link TrellisError}. `IdempotentParameterMismatch` says a `ClientToken` was used with other
 * parameters; `IncorrectInstanceStatus` (HTTP 403) is a state to wait out, not a permission error.
 */
export function toTrellisError(error: unknown, context: CloudErrorContext): TrellisError {
  const failure = readAlicloudFailure(error, context);
  if (TrellisError.isInstance(failure)) return failure;
  const { record, status, network, cloudCode } = failure;
  const { operation, provider } = context;
  const timedOut =
    record.name === 'RequestTimeoutError' || /ReadTimeout|ConnectTimeout/.test(String(record.message));
  const code: ErrorCode = timedOut
    ? 'DeadlineExceeded'
    : network
      ? 'Unavailable'
      : alicloudErrorCode(cloudCode, status);
  // The SDK appends the whole request URL (every parameter) to network errors: keep the host only.
  const raw = (typeof record.message === 'string' ? record.message : String(error)).replace(
    /\s*(GET|POST|PUT|DELETE) (https?:\/\/[^/?\s]+)\S*/g,
    ' ($1 $2)',
  );
  const message =
    code === 'AlreadyExists' && cloudCode === 'IdempotentParameterMismatch'
      ? `${operation}: the client token was used before with other parameters (IdempotentParameterMismatch): ${raw}`
      : `${operation}: ${raw}`;
  return new TrellisError({
    code,
    provider,
    operation,
    message,
    cause: error,
  });
}
