import type { FakeDefinition } from '@trellis/core';
import { addStartFaults } from '@trellis/testkit/fake';
import { startArmFake } from './arm-fake-server.js';

/** The subscription the fake's printed settings use (any GUID works). */
const FAKE_SUBSCRIPTION = '00000000-0000-4000-8000-00000000fa4e';

/** `trellis fake azure`: the offline ARM fake, with the provider settings that point at it. */
export const fakeDefinition: FakeDefinition = {
  type: 'azure',
  async start(options = {}) {
    const fake = await startArmFake(options.port === undefined ? {} : { port: options.port });
    addStartFaults(fake.faults, options);
    return {
      endpoints: { resourceManager: fake.url },
      providerSettings: {
        subscriptionId: FAKE_SUBSCRIPTION,
        location: 'westeurope',
        credentials: { token: 'fake' },
        endpoints: { resourceManager: fake.url },
        tlsCa: fake.ca,
        operationPollMs: 50,
      },
      environment: { AZURE_SUBSCRIPTION_ID: FAKE_SUBSCRIPTION },
      notes: [
        'Azure Resource Manager over HTTPS with a fresh self-signed certificate (tlsCa in the settings): resource groups, VMs, NICs, disks, VNets, subnets, route tables, security groups, public IPs and NAT gateways.',
        'Blob storage is not served here: run Azurite (startAzurite() from @trellis/provider-azure/testing, or azurite-blob --skipApiVersionCheck).',
      ],
      close: () => fake.close(),
    };
  },
};
