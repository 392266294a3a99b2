import { infrastructureProviderConformance } from '@trellis/testkit';
import { infrastructureSubject, startNetworkFake } from './alicloud-infrastructure-harness.js';

infrastructureProviderConformance({
  name: 'Alibaba Cloud infrastructure against the offline ECS/VPC fake',
  timeoutMs: 300_000,
  setup: async () => infrastructureSubject(await startNetworkFake()),
});

infrastructureProviderConformance({
  name: 'Alibaba Cloud infrastructure with 10% throttling and 10% 5xx on every call',
  timeoutMs: 600_000,
  async setup() {
    const fake = await startNetworkFake();
    fake.faults.add({ kind: 'throttle', rate: 0.1 });
    fake.faults.add({ kind: 'server-error', rate: 0.05, status: 500 });
    fake.faults.add({ kind: 'server-error', rate: 0.05, status: 503 });
    const subject = infrastructureSubject(fake);
    return {
      ...subject,
      async cleanup() {
        const injected = fake.calls.entries.filter((entry) => entry.fault !== undefined).length;
        const total = fake.calls.count();
        await fake.close();
        // The suite proves nothing unless faults really hit it: expect about a fifth of all calls.
        if (injected < total * 0.1)
          throw new Error(`only ${injected} of ${total} calls had a fault injected`);
      },
    };
  },
});
