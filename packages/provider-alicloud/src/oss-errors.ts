import { type ErrorCode, TrellisError } from '@trellis/core';
import { type CloudErrorContext, codeForHttpStatus } from '@trellis/provider-kit';
import { readAlicloudFailure } from './alicloud-errors.js';

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
  const failure = readAlicloudFailure(error, context);
  if (TrellisError.isInstance(failure)) return failure;
  const { record, status, network, cloudCode } = failure;
  const { operation, provider } = context;
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
