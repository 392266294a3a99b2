import { describe, expect, it } from 'vitest';
import { canceled, invalidArgument, notFound, TrellisError } from './errors.js';

describe('TrellisError', () => {
  it('derives retryable from the code unless told otherwise', () => {
    expect(new TrellisError({ code: 'Throttled', message: 'slow down' }).retryable).toBe(true);
    expect(new TrellisError({ code: 'Unavailable', message: '503' }).retryable).toBe(true);
    expect(notFound('gone').retryable).toBe(false);
    expect(new TrellisError({ code: 'Internal', message: 'x', retryable: true }).retryable).toBe(true);
  });

  it('is recognised across copies of core through a Symbol.for marker', () => {
    const error = new TrellisError({
      code: 'NotFound',
      message: 'no such machine',
      provider: 'aws',
      requestId: 'r-1',
    });
    const copy = Object.assign(Object.create(Error.prototype), { code: 'NotFound' });
    Object.defineProperty(copy, Symbol.for('trellis.error'), { value: true });
    expect(TrellisError.isInstance(error)).toBe(true);
    expect(TrellisError.isInstance(copy)).toBe(true);
    expect(TrellisError.isInstance(new Error('plain'))).toBe(false);
    expect(TrellisError.isInstance(undefined)).toBe(false);
    expect(TrellisError.hasCode(error, 'NotFound')).toBe(true);
    expect(TrellisError.hasCode(error, 'Internal')).toBe(false);
  });

  it('lists every field issue in the message of InvalidArgument', () => {
    const error = invalidArgument('invalid machine class', [
      { path: 'networks.zones[1].workers', message: 'must lie inside networks.vpc.cidr' },
      { path: 'ami', message: 'is required' },
    ]);
    expect(error.message).toBe(
      'invalid machine class: networks.zones[1].workers: must lie inside networks.vpc.cidr; ami: is required',
    );
    expect(error.toJSON()).toMatchObject({ code: 'InvalidArgument', issues: error.issues });
  });

  it('shows an issue of the whole value by its message alone, with no internal path marker', () => {
    const error = invalidArgument('invalid CIDR "10.0.0.0/33"', [
      { path: '', message: 'prefix length must be 0-32' },
    ]);
    expect(error.message).toBe('invalid CIDR "10.0.0.0/33": prefix length must be 0-32');
  });

  it('keeps the cause but leaves it out of JSON', () => {
    const cause = new Error('socket hang up');
    const error = new TrellisError({ code: 'Unavailable', message: 'EC2 did not answer', cause });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('socket hang up');
  });

  it('maps an abort reason to Canceled and a timeout to DeadlineExceeded', () => {
    const controller = new AbortController();
    controller.abort();
    expect(canceled(controller.signal.reason).code).toBe('Canceled');
    expect(canceled(new DOMException('timed out', 'TimeoutError')).code).toBe('DeadlineExceeded');
  });
});
