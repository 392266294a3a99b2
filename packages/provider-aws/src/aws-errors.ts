import { type ErrorCode, TrellisError } from '@trellis/core';
import { codeForHttpStatus, isNetworkError, settledError } from '@trellis/provider-kit';

/** Where an AWS error happened, for the resulting {@link TrellisError}. */
export interface AwsErrorContext {
  /** The contract operation (`createMachine`, `reconcile:vpc`, `save`, ...). */
  operation: string;
  /** @default 'aws' */
  provider?: string;
  /** The signal of the call: when it has aborted, the error is `Canceled` / `DeadlineExceeded`. */
  signal?: AbortSignal;
}

const CAPACITY_CODES = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientAddressCapacity',
  'InsufficientCapacity',
  'InsufficientHostCapacity',
  'InsufficientCapacityOnHost',
  'InsufficientReservedInstanceCapacity',
  'InsufficientVolumeCapacity',
  'InsufficientFreeAddressesInSubnet',
  'InsufficientDBInstanceCapacity',
  'MaxSpotInstanceCountExceeded',
  'MaxSpotFleetRequestCountExceeded',
  'ReservationCapacityExceeded',
  'TooManyBuckets',
  'EntityTemporarilyUnmodifiable',
]);

const THROTTLE_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
]);

const UNAUTHENTICATED_CODES = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidAccessKeyId',
  'InvalidToken',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'InvalidSecurity',
  'CredentialsProviderError',
  'TokenRefreshRequired',
]);

const PERMISSION_CODES = new Set([
  'UnauthorizedOperation',
  'AccessDenied',
  'AccessDeniedException',
  'OptInRequired',
  'Blocked',
  'AllAccessDisabled',
  'AccountProblem',
  'PendingVerification',
]);

const NOT_FOUND_CODES = new Set([
  'NotFound',
  'NoSuchEntity',
  'NoSuchKey',
  'NoSuchBucket',
  'NoSuchUpload',
  'NoSuchLifecycleConfiguration',
  'ResourceNotFoundException',
]);

const ALREADY_EXISTS_CODES = new Set([
  'AlreadyExists',
  'EntityAlreadyExists',
  'BucketAlreadyExists',
  'BucketAlreadyOwnedByYou',
  'IdempotentParameterMismatch',
  'RouteAlreadyExists',
  'Resource.AlreadyAssociated',
]);

const INVALID_ARGUMENT_CODES = new Set([
  'ValidationError',
  'ValidationException',
  'MissingParameter',
  'UnknownParameter',
  'InvalidInput',
  'InvalidRequest',
  'InvalidArgument',
  'MalformedPolicyDocument',
  'MalformedXML',
  'Unsupported',
  'UnsupportedOperation',
  'InvalidQueryParameter',
  'InvalidParameter',
]);

/** Transient server-side states worth retrying: the resource is busy or still changing. */
const UNAVAILABLE_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailure',
  'Unavailable',
  'ServerInternal',
  'RequestTimeout',
  'RequestTimeoutException',
  'IncorrectState',
  'IncorrectInstanceState',
  'DependencyViolation',
  'ConcurrentModification',
  'ConcurrentModificationException',
  'OperationAborted',
  'TimeoutError',
]);

/** The endpoint does not know the action (an older region, an S3/EC2-compatible server). */
const UNIMPLEMENTED_CODES = new Set([
  'InvalidAction',
  'UnknownOperation',
  'UnknownOperationException',
  'NotImplemented',
]);

/** The AWS error code of an SDK error: `Code` from the wire, else the exception name. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  if (typeof record.Code === 'string') return record.Code;
  if (typeof record.name === 'string' && record.name !== 'Error') return record.name;
  if (typeof record.code === 'string') return record.code;
  return undefined;
}

function httpStatusOf(error: Record<string, unknown>): number | undefined {
  const metadata = error.$metadata as { httpStatusCode?: number } | undefined;
  if (typeof metadata?.httpStatusCode === 'number') return metadata.httpStatusCode;
  const response = error.$response as { statusCode?: number } | undefined;
  return typeof response?.statusCode === 'number' ? response.statusCode : undefined;
}

function requestIdOf(error: Record<string, unknown>): string | undefined {
  const metadata = error.$metadata as { requestId?: string } | undefined;
  if (metadata?.requestId) return metadata.requestId;
  for (const key of ['RequestId', 'RequestID', 'requestId']) {
    if (typeof error[key] === 'string') return error[key] as string;
  }
  return undefined;
}

function codeFor(awsCode: string | undefined, status: number | undefined): ErrorCode | undefined {
  if (awsCode) {
    if (THROTTLE_CODES.has(awsCode)) return 'Throttled';
    if (CAPACITY_CODES.has(awsCode)) return 'ResourceExhausted';
    if (awsCode.endsWith('LimitExceeded') || awsCode === 'LimitExceeded' || awsCode === 'QuotaExceeded') {
      return 'ResourceExhausted';
    }
    if (UNAUTHENTICATED_CODES.has(awsCode)) return 'Unauthenticated';
    if (PERMISSION_CODES.has(awsCode)) return 'PermissionDenied';
    if (NOT_FOUND_CODES.has(awsCode) || awsCode.endsWith('.NotFound') || awsCode.endsWith('NotFound')) {
      return 'NotFound';
    }
    if (
      ALREADY_EXISTS_CODES.has(awsCode) ||
      awsCode.endsWith('.Duplicate') ||
      awsCode.endsWith('AlreadyExists')
    ) {
      return 'AlreadyExists';
    }
    if (UNAVAILABLE_CODES.has(awsCode)) return 'Unavailable';
    if (UNIMPLEMENTED_CODES.has(awsCode)) return 'Unimplemented';
    if (
      INVALID_ARGUMENT_CODES.has(awsCode) ||
      awsCode.endsWith('.Malformed') ||
      awsCode.startsWith('InvalidParameter') ||
      awsCode.startsWith('Invalid')
    ) {
      return 'InvalidArgument';
    }
  }
  return codeForHttpStatus(status === 422 ? undefined : status);
}

// Access key ids are not secret, but keep them (and anything shaped like a secret key or a
// session token) out of messages anyway: messages end up in logs and CLI output.
const SECRET_PATTERNS = [
  /\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g,
  /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  /(X-Amz-(?:Credential|Signature|Security-Token)=)[^&\s]+/gi,
  /(Signature=|Credential=)[^,&\s]+/g,
];

/** Removes credential-shaped text from a message. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) {
    result = result.replace(pattern, (_match, prefix) =>
      typeof prefix === 'string' ? `${prefix}***` : '***',
    );
  }
  return result;
}

/**
 * Maps any error an AWS SDK call throws to a {@link TrellisError} with the right code,
 * the operation, the AWS request id and the SDK error as `cause`. TrellisErrors pass through.
 *
 * `DependencyViolation`, `IncorrectState` and concurrent-modification errors map to a retryable
 * `Unavailable`: the resource is still changing and the same call succeeds later.
 */
export function toTrellisError(error: unknown, context: AwsErrorContext): TrellisError {
  const provider = context.provider ?? 'aws';
  const { operation } = context;
  const settled = settledError(error, { ...context, provider });
  if (settled) return settled;
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;

  const awsCode = awsErrorCode(error);
  const status = httpStatusOf(record);
  const requestId = requestIdOf(record);
  let code = codeFor(awsCode, status);
  if (!code && isNetworkError(record)) code = 'Unavailable';
  const rawMessage =
    typeof record.message === 'string' && record.message ? record.message : String(error ?? 'unknown error');
  const prefix = awsCode && !rawMessage.startsWith(awsCode) ? `${awsCode}: ` : '';
  return new TrellisError({
    code: code ?? 'Internal',
    message: redactSecrets(`${operation} failed: ${prefix}${rawMessage}`),
    provider,
    operation,
    requestId,
    cause: error,
  });
}
