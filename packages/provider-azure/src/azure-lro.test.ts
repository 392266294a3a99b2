import { restorePoller } from '@azure/arm-network';
import { describe, expect, it } from 'vitest';
import { contextFor, LOCATION, SUBSCRIPTION } from '../test/azure-machine-harness.js';
import { networkClient } from './azure-arm-clients.js';
import { runLro } from './azure-lro.js';
import { startArmFake } from './testing/index.js';

describe('runLro', () => {
  it('polls only through the rate-limited API: exactly the polls the operation needs, then one read back', async () => {
    const fake = await startArmFake({ operationPolls: 1 });
    try {
      fake.createResourceGroup(SUBSCRIPTION, 'group', LOCATION);
      const context = contextFor(fake);
      const network = networkClient(context);
      const body = { location: LOCATION, addressSpace: { addressPrefixes: ['10.0.0.0/16'] } };
      const made = await runLro(
        context,
        'virtualNetworks.createOrUpdate',
        () => network.virtualNetworks.createOrUpdate('group', 'net', body),
        (state) => restorePoller(network, state, network.virtualNetworks.createOrUpdate),
        { operation: 'test' },
      );
      expect(made).toMatchObject({ name: 'net', provisioningState: 'Succeeded' });
      // A PollerLike that is awaited or caught starts core-lro's own polling loop beside ours.
      // Its first pause is 2 s (ARM's Retry-After: 0 is ignored): wait past it.
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      expect(fake.calls.count('operations.get')).toBe(1);
      expect(fake.calls.count('virtualNetworks.get')).toBe(1);
    } finally {
      await fake.close();
    }
  });
});
