import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { codeForHttpStatus, isAbortError, isNetworkError, settledError } from './error-mapping.js';

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

  it("settles what every mapping shares: TrellisErrors pass, aborts are Canceled, the rest is the cloud's", () => {
    const context = { provider: 'test', operation: 'createMachine' };
    const mapped = new TrellisError({ code: 'NotFound', message: 'gone' });
    expect(settledError(mapped, context)).toBe(mapped);
    const controller = new AbortController();
    controller.abort(new Error('user stop'));
    expect(settledError(new Error('socket closed'), { ...context, signal: controller.signal })).toMatchObject(
      {
        code: 'Canceled',
        provider: 'test',
        operation: 'createMachine',
      },
    );
    expect(settledError(new DOMException('stop', 'AbortError'), context)).toMatchObject({ code: 'Canceled' });
    expect(
      settledError(Object.assign(new Error('Throttling'), { code: 'Throttling.User' }), context),
    ).toBeUndefined();
  });
});
