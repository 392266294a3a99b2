import { describe, expect, it } from 'vitest';
import { azureErrorCode, toTrellisError } from './azure-errors.js';

describe('Azure error mapping', () => {
  it.each([
    [{ code: 'AllocationFailed', statusCode: 200 }, 'ResourceExhausted'],
    [{ code: 'ZonalAllocationFailed' }, 'ResourceExhausted'],
    [{ code: 'SkuNotAvailable', statusCode: 409 }, 'ResourceExhausted'],
    [
      {
        code: 'OperationNotAllowed',
        statusCode: 409,
        message:
          'Operation could not be completed as it results in exceeding approved Total Regional Cores quota.',
      },
      'ResourceExhausted',
    ],
    [{ code: 'QuotaExceeded', statusCode: 409 }, 'ResourceExhausted'],
    [
      { code: 'BadRequest', statusCode: 400, message: 'The requested VM size is not supported in this zone' },
      'ResourceExhausted',
    ],
    [
      { message: 'The long-running operation has failed. AllocationFailed. Allocation failed.' },
      'ResourceExhausted',
    ],
    [{ code: 'TooManyRequests', statusCode: 429 }, 'Throttled'],
    [{ statusCode: 429 }, 'Throttled'],
    [{ code: 'ResourceNotFound', statusCode: 404 }, 'NotFound'],
    [{ code: 'ResourceGroupNotFound', statusCode: 404 }, 'NotFound'],
    [{ code: 'InvalidParameter', statusCode: 400 }, 'InvalidArgument'],
    [{ code: 'AuthorizationFailed', statusCode: 403 }, 'PermissionDenied'],
    [{ code: 'InvalidAuthenticationToken', statusCode: 401 }, 'Unauthenticated'],
    [{ code: 'NicInUse', statusCode: 400 }, 'Unavailable'],
    [{ code: 'InternalServerError', statusCode: 500 }, 'Unavailable'],
    [
      {
        code: 'Whatever',
        statusCode: 400,
        details: { error: { code: 'X', details: [{ code: 'ZonalAllocationFailed' }] } },
      },
      'ResourceExhausted',
    ],
  ])('%j is %s', (error, code) => {
    expect(azureErrorCode(error)).toBe(code);
  });

  it('keeps bearer tokens and client secrets out of messages', () => {
    const error = toTrellisError(
      {
        message:
          'failed with Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.eyJhdWQiOiJodHRwczov.c2lnbmF0dXJl and client_secret=s3cr3t&x',
      },
      { operation: 'createMachine' },
    );
    expect(error.message).not.toMatch(/eyJ0eXAi|s3cr3t/);
    expect(error.code).toBe('Internal');
  });

  it('an in-use refusal is retryable', () => {
    expect(
      toTrellisError({ code: 'InUseSubnetCannotBeDeleted', statusCode: 400 }, { operation: 'delete' })
        .retryable,
    ).toBe(true);
  });
});
