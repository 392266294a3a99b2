import { ManualClock } from '@trellis/provider-kit';
import { describe, expect, it } from 'vitest';
import { networkClient } from '../src/azure-arm-clients.js';
import { startArmFake } from '../src/testing/index.js';
import { armRequest } from './arm-request.js';
import { contextFor, LOCATION, SUBSCRIPTION } from './azure-machine-harness.js';

const vnet = { location: LOCATION, addressSpace: { addressPrefixes: ['10.0.0.0/16'] } };

describe('the offline ARM fake', () => {
  it.each([
    ['azure-async-operation', 'operations.get', 3],
    ['location', 'operations.get', 3],
    ['body', 'virtualNetworks.get', 3],
  ] as const)(
    'announces a PUT in %s mode, and the real SDK waits through %s',
    async (lroMode, pollAction, polls) => {
      const fake = await startArmFake({ lroMode, operationPolls: polls });
      try {
        fake.createResourceGroup(SUBSCRIPTION, 'group', LOCATION);
        const made = await networkClient(contextFor(fake)).virtualNetworks.createOrUpdate(
          'group',
          'net',
          vnet,
          {
            updateIntervalInMs: 1,
          },
        );
        expect(made.provisioningState).toBe('Succeeded');
        expect(fake.calls.count(pollAction)).toBeGreaterThanOrEqual(polls);
        if (lroMode === 'body') expect(fake.calls.count('operations.get')).toBe(0);
      } finally {
        await fake.close();
      }
    },
  );

  it('answers beyond the token buckets with 429, Retry-After and the remaining-requests headers', async () => {
    const clock = new ManualClock();
    const fake = await startArmFake({
      retryAfterSeconds: 7,
      clock,
      rateLimits: {
        read: { capacity: 2, refillPerSecond: 1 },
        write: { capacity: 5, refillPerSecond: 1 },
        delete: { capacity: 5, refillPerSecond: 1 },
      },
    });
    try {
      fake.createResourceGroup(SUBSCRIPTION, 'group', LOCATION);
      const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/group/providers/Microsoft.Network/virtualNetworks?api-version=2026-01-01`;
      const statuses: Array<{ status: number; retryAfter?: string; reads?: string }> = [];
      for (let index = 0; index < 3; index++) {
        const { status, headers } = await armRequest(fake, 'GET', path);
        statuses.push({
          status,
          ...(headers['retry-after'] ? { retryAfter: String(headers['retry-after']) } : {}),
          reads: String(headers['x-ms-ratelimit-remaining-subscription-reads']),
        });
      }
      expect(statuses).toEqual([
        { status: 200, reads: '1' },
        { status: 200, reads: '0' },
        { status: 429, retryAfter: '7', reads: '0' },
      ]);
    } finally {
      await fake.close();
    }
  });
});
