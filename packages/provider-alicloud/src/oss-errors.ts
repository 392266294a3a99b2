import { canceled, type ErrorCode, TrellisError } from '@trellis/core';
import {
  type CloudErrorContext,
  codeForHttpStatus,
  isAbortError,
  isNetworkError,
} from '@trellis/provider-kit';

const CODES: Readonly<Record<string, ErrorCode>> = {
  NoSuchKey: 'NotFound',
  NoSuchBucket: 'NotFound',
  NoSuchUpload: 'NotFound',
  NoSuchLifecycle: 'NotFound',
  AccessDenied: 'PermissionDenied',
  InvalidAccessKeyId: 'Unauthenticated',
  SignatureDoesNotMatch: 'Unauthenticated',
  SecurityTokenExpired: 'Unauthenticated',
  BucketAlreadyExists: 'AlreadyExists',
  InvalidDigest: 'InvalidArgument',
  InvalidArgument: 'InvalidArgument',
  MalformedXML: 'InvalidArgument',
  InvalidBucketName: 'InvalidArgument',
  EntityTooSmall: 'InvalidArgument',
  InvalidPart: 'Internal',
  InvalidPartOrder: 'Internal',
  RequestTimeTooSkewed: 'Unauthenticated',
  ServiceUnavailable: 'Unavailable',
  InternalError: 'Unavailable',
  SlowDown: 'Throttled',
  NotImplemented: 'Unimplemented',
};

/** Maps what `ali-oss` throws (`err.code` from OSS's XML, `err.status`; network errors) to a {@link TrellisError}. */
export function ossToTrellisError(error: unknown, context: CloudErrorContext): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  const { operation, provider } = context;
  if (context.signal?.aborted) return canceled(context.signal.reason, { provider, operation });
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  if (isAbortError(record)) return canceled(record, { provider, operation });
  const status = typeof record.status === 'number' && record.status > 0 ? record.status : undefined;
  const network = status === undefined && isNetworkError(record);
  const cloudCode = typeof record.code === 'string' && !network ? record.code : undefined;
  const code: ErrorCode = network
    ? 'Unavailable'
    : ((cloudCode ? CODES[cloudCode] : undefined) ?? codeForHttpStatus(status) ?? 'Internal');
  const message = typeof record.message === 'string' ? record.message.split('\n')[0] : String(error);
  return new TrellisError({
    code,
    provider,
    operation,
    message: `${operation}: ${cloudCode ? `${cloudCode}: ` : ''}${message}`,
    cause: error,
  });
}
