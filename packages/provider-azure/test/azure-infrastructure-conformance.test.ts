import { infrastructureProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
import { infrastructureSubject, startInfrastructureFake } from './azure-infrastructure-harness.js';

infrastructureProviderConformance({
  name: 'Azure infrastructure against the offline ARM fake',
  timeoutMs: 300_000,
  setup: async () => infrastructureSubject(await startInfrastructureFake()),
});

infrastructureProviderConformance({
  name: 'Azure infrastructure with 10% throttling and 10% 5xx on every call',
  timeoutMs: 600_000,
  async setup() {
    const fake = await startInfrastructureFake({ seed: 11 });
    const faultsHit = injectFaultShare(fake);
    const subject = await infrastructureSubject(fake);
    return {
      ...subject,
      async cleanup() {
        await fake.close();
        // The suite proves nothing unless faults really hit it.
        faultsHit();
      },
    };
  },
});

for (const lroMode of ['location', 'body'] as const) {
  infrastructureProviderConformance({
    name: `Azure infrastructure against the fake, long-running operations in ${lroMode} mode, 3 polls each`,
    timeoutMs: 300_000,
    setup: async () => infrastructureSubject(await startInfrastructureFake({ lroMode, operationPolls: 3 })),
  });
}
