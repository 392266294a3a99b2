import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { toTrellisError } from './aws-errors.js';
import { KeyedBatcher, missingInstanceIds } from './ec2-instance-batcher.js';

describe('KeyedBatcher', () => {
  it('merges concurrent reads into one fetch and answers each caller', async () => {
    const fetches: string[][] = [];
    const batcher = new KeyedBatcher<string, string>({
      windowMs: 5,
      maxKeys: 1000,
      fetch: async (keys) => {
        fetches.push(keys);
        return new Map(keys.filter((key) => key !== 'missing').map((key) => [key, key.toUpperCase()]));
      },
    });
    const results = await Promise.all(['a', 'b', 'a', 'missing'].map((key) => batcher.get(key)));
    expect(results).toEqual(['A', 'B', 'A', undefined]);
    expect(fetches).toEqual([['a', 'b', 'missing']]);
  });

  it('sends a full batch at once and starts the next', async () => {
    const sizes: number[] = [];
    const batcher = new KeyedBatcher<number, number>({
      windowMs: 600_000, // only a full batch can answer within the test timeout
      maxKeys: 3,
      fetch: async (keys) => {
        sizes.push(keys.length);
        return new Map(keys.map((key) => [key, key]));
      },
    });
    await Promise.all([1, 2, 3].map((key) => batcher.get(key)));
    expect(sizes).toEqual([3]);
  });

  it('rejects every caller of a failed batch, and lets one caller abort alone', async () => {
    const batcher = new KeyedBatcher<string, string>({
      windowMs: 5,
      maxKeys: 10,
      fetch: async () => {
        throw new TrellisError({ code: 'Unavailable', message: 'down' });
      },
    });
    const results = await Promise.allSettled([batcher.get('a'), batcher.get('b')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    const controller = new AbortController();
    const ok = new KeyedBatcher<string, string>({
      windowMs: 20,
      maxKeys: 10,
      fetch: async (keys) => new Map(keys.map((k) => [k, k])),
    });
    const aborted = ok.get('x', controller.signal);
    const other = ok.get('y');
    controller.abort();
    expect(TrellisError.hasCode(await aborted.catch((error: unknown) => error), 'Canceled')).toBe(true);
    await expect(other).resolves.toBe('y');
  });
});

describe('missingInstanceIds', () => {
  const notFound = (message: string) =>
    toTrellisError(
      new EC2ServiceException({
        name: 'InvalidInstanceID.NotFound',
        $fault: 'client',
        message,
        $metadata: {},
      }),
      { operation: 'getMachine' },
    );

  it("reads the ids from EC2's message", () => {
    expect(missingInstanceIds(notFound("The instance ID 'i-0abc' does not exist"))).toEqual(['i-0abc']);
    expect(missingInstanceIds(notFound("The instance IDs 'i-1, i-2' do not exist"))).toEqual(['i-1', 'i-2']);
  });

  it('gives up on other errors and unreadable messages', () => {
    expect(missingInstanceIds(notFound('gone'))).toBeUndefined();
    expect(missingInstanceIds(new Error("The instance ID 'i-1' does not exist"))).toBeUndefined();
  });
});
