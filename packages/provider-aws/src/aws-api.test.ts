import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { createAwsApi } from './aws-api.js';

const throttled = () =>
  new EC2ServiceException({
    name: 'RequestLimitExceeded',
    $fault: 'client',
    message: 'Request limit exceeded.',
    $metadata: { httpStatusCode: 503, requestId: 'r-1' },
  });

function api(options: { maxAttempts?: number; retryBudget?: number } = {}) {
  return createAwsApi({
    baseDelayMs: 1,
    throttledBaseDelayMs: 1,
    random: () => 0.5,
    ...options,
  });
}

function failing(times: number, error: () => unknown) {
  let calls = 0;
  const send = async () => {
    calls++;
    if (calls <= times) throw error();
    return 'ok';
  };
  return { send, calls: () => calls };
}

describe('AwsApi (the kit CloudApi with EC2 limits and AWS error mapping)', () => {
  it('retries throttling until it succeeds', async () => {
    const stub = failing(3, throttled);
    await expect(api().call('DescribeInstances', stub.send, { operation: 'getMachine' })).resolves.toBe('ok');
    expect(stub.calls()).toBe(4);
  });

  it('surfaces Throttled only after the attempts are spent', async () => {
    const stub = failing(100, throttled);
    const error = await api({ maxAttempts: 3 })
      .call('DescribeInstances', stub.send, { operation: 'getMachine' })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Throttled')).toBe(true);
    expect((error as TrellisError).requestId).toBe('r-1');
    expect(stub.calls()).toBe(3);
  });

  it('stops retrying when the shared retry budget is spent', async () => {
    const stub = failing(100, throttled);
    const error = await api({ maxAttempts: 10, retryBudget: 20 })
      .call('DescribeInstances', stub.send, { operation: 'getMachine' })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Throttled')).toBe(true);
    expect(stub.calls()).toBe(3); // two retries of cost 10
  });

  it('retries dropped connections but not client errors', async () => {
    const reset = failing(2, () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(api().call('RunInstances', reset.send, { operation: 'createMachine' })).resolves.toBe('ok');
    const invalid = failing(
      1,
      () =>
        new EC2ServiceException({
          name: 'InvalidParameterValue',
          $fault: 'client',
          message: 'bad',
          $metadata: { httpStatusCode: 400 },
        }),
    );
    const error = await api()
      .call('RunInstances', invalid.send, { operation: 'createMachine' })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect(invalid.calls()).toBe(1);
  });

  it('does not retry when told not to', async () => {
    const stub = failing(1, throttled);
    const error = await api()
      .call('CreateVpc', stub.send, { operation: 'reconcile', retry: false })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Throttled')).toBe(true);
    expect(stub.calls()).toBe(1);
  });

  it('rejects with Canceled without calling when the signal has aborted, and hands the signal to the SDK', async () => {
    const controller = new AbortController();
    controller.abort();
    const stub = failing(0, throttled);
    const error = await api()
      .call('DescribeInstances', stub.send, { operation: 'getMachine', signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Canceled')).toBe(true);
    expect(stub.calls()).toBe(0);
    const live = new AbortController();
    let seen: AbortSignal | undefined;
    await api().call('DescribeInstances', async (abortSignal) => (seen = abortSignal), {
      operation: 'getMachine',
      signal: live.signal,
    });
    expect(seen).toBe(live.signal);
  });
});
