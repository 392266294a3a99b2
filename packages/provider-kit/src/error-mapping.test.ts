import { describe, expect, it } from 'vitest';
import { codeForHttpStatus, isAbortError, isNetworkError } from './error-mapping.js';

describe('error mapping helpers', () => {
  it('maps HTTP statuses to core codes', () => {
    expect([429, 500, 503, 501, 401, 403, 404, 409, 400, 422, 418, undefined].map(codeForHttpStatus)).toEqual(
      [
        'Throttled',
        'Unavailable',
        'Unavailable',
        'Unimplemented',
        'Unauthenticated',
        'PermissionDenied',
        'NotFound',
        'AlreadyExists',
        'InvalidArgument',
        'InvalidArgument',
        undefined,
        undefined,
      ],
    );
  });

  it('recognises connection failures, also wrapped by fetch, and aborts', () => {
    expect(isNetworkError(Object.assign(new Error('read'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isNetworkError(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }))).toBe(true);
    expect(isNetworkError(new Error('bad request'))).toBe(false);
    expect(isNetworkError('ECONNRESET')).toBe(false);
    expect(isAbortError(new DOMException('stop', 'AbortError'))).toBe(true);
    expect(isAbortError(new Error('stop'))).toBe(false);
  });
});
