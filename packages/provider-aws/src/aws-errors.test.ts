import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { redactSecrets, toTrellisError } from './aws-errors.js';

function sdkError(name: string, status = 400, message = `${name} happened`) {
  return new EC2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: { httpStatusCode: status, requestId: 'req-123' },
  });
}

const context = { operation: 'createMachine' };

describe('toTrellisError', () => {
  it.each([
    ['InsufficientInstanceCapacity', 'ResourceExhausted'],
    ['InsufficientAddressCapacity', 'ResourceExhausted'],
    ['InstanceLimitExceeded', 'ResourceExhausted'],
    ['VcpuLimitExceeded', 'ResourceExhausted'],
    ['VolumeLimitExceeded', 'ResourceExhausted'],
    ['AddressLimitExceeded', 'ResourceExhausted'],
    ['VpcLimitExceeded', 'ResourceExhausted'],
    ['LimitExceeded', 'ResourceExhausted'],
    ['RequestLimitExceeded', 'Throttled'],
    ['Throttling', 'Throttled'],
    ['ThrottlingException', 'Throttled'],
    ['SlowDown', 'Throttled'],
    ['InvalidInstanceID.NotFound', 'NotFound'],
    ['InvalidVpcID.NotFound', 'NotFound'],
    ['NoSuchEntity', 'NotFound'],
    ['NoSuchKey', 'NotFound'],
    ['NotFound', 'NotFound'],
    ['InvalidInstanceID.Malformed', 'InvalidArgument'],
    ['InvalidParameterValue', 'InvalidArgument'],
    ['InvalidParameterCombination', 'InvalidArgument'],
    ['ValidationError', 'InvalidArgument'],
    ['MissingParameter', 'InvalidArgument'],
    ['AuthFailure', 'Unauthenticated'],
    ['InvalidClientTokenId', 'Unauthenticated'],
    ['SignatureDoesNotMatch', 'Unauthenticated'],
    ['ExpiredToken', 'Unauthenticated'],
    ['UnauthorizedOperation', 'PermissionDenied'],
    ['AccessDenied', 'PermissionDenied'],
    ['InvalidKeyPair.Duplicate', 'AlreadyExists'],
    ['InvalidGroup.Duplicate', 'AlreadyExists'],
    ['EntityAlreadyExists', 'AlreadyExists'],
    ['IdempotentParameterMismatch', 'AlreadyExists'],
    ['DependencyViolation', 'Unavailable'],
    ['IncorrectInstanceState', 'Unavailable'],
    ['InvalidAction', 'Unimplemented'],
    ['NotImplemented', 'Unimplemented'],
  ] as const)('maps %s to %s', (name, code) => {
    const error = toTrellisError(sdkError(name), context);
    expect(TrellisError.isInstance(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.requestId).toBe('req-123');
    expect(error.operation).toBe('createMachine');
    expect(error.provider).toBe('aws');
    expect(error.message).toContain(name);
  });

  it('treats throttling and dependency violations as retryable, capacity as not', () => {
    expect(toTrellisError(sdkError('RequestLimitExceeded'), context).retryable).toBe(true);
    expect(toTrellisError(sdkError('DependencyViolation'), context).retryable).toBe(true);
    expect(toTrellisError(sdkError('InsufficientInstanceCapacity'), context).retryable).toBe(false);
  });

  it('maps unknown codes by HTTP status', () => {
    expect(toTrellisError(sdkError('Weird', 503), context).code).toBe('Unavailable');
    expect(toTrellisError(sdkError('Weird', 500), context).code).toBe('Unavailable');
    expect(toTrellisError(sdkError('Weird', 429), context).code).toBe('Throttled');
    expect(toTrellisError(sdkError('Weird', 403), context).code).toBe('PermissionDenied');
    expect(toTrellisError(sdkError('Weird', 404), context).code).toBe('NotFound');
  });

  it('maps dropped connections to Unavailable and anything else to Internal', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(toTrellisError(reset, context).code).toBe('Unavailable');
    expect(toTrellisError(new Error('boom'), context).code).toBe('Internal');
    expect(toTrellisError('text', context).code).toBe('Internal');
  });

  it('maps an aborted call to Canceled, and a timed-out signal to DeadlineExceeded', () => {
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(toTrellisError(abort, context).code).toBe('Canceled');
    const controller = new AbortController();
    controller.abort();
    expect(toTrellisError(new Error('x'), { ...context, signal: controller.signal }).code).toBe('Canceled');
    const timeout = AbortSignal.abort(new DOMException('timed out', 'TimeoutError'));
    expect(toTrellisError(new Error('x'), { ...context, signal: timeout }).code).toBe('DeadlineExceeded');
  });

  it('passes TrellisErrors through unchanged', () => {
    const original = new TrellisError({ code: 'OutOfRange', message: 'two VMs' });
    expect(toTrellisError(original, context)).toBe(original);
  });

  it('keeps credentials out of the message', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const error = toTrellisError(
      sdkError('SignatureDoesNotMatch', 403, `bad signature for AKIAIOSFODNN7EXAMPLE with ${secret}`),
      context,
    );
    expect(error.code).toBe('Unauthenticated');
    expect(error.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  it('redacts presigned URL parameters', () => {
    expect(redactSecrets('https://x/?X-Amz-Signature=abcdef&X-Amz-Credential=AK/1')).toBe(
      'https://x/?X-Amz-Signature=***&X-Amz-Credential=***',
    );
  });
});
