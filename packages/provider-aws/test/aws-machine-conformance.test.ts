import { machineProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
import { describe } from 'vitest';
import { createAwsMachineProvider } from '../src/aws-machine-provider.js';
import { type AwsMachineClass, createAwsProviderContext } from '../src/index.js';
import { machineSubject } from './aws-machine-harness.js';

machineProviderConformance<AwsMachineClass>({
  name: 'AWS machines against the offline EC2 fake',
  setup: () => machineSubject(),
  listPageSize: 5,
});

machineProviderConformance<AwsMachineClass>({
  name: 'AWS machines against the fake with 20% throttling and 5xx on every action',
  setup: () =>
    machineSubject(
      {},
      {
        faults: (fake) => {
          injectFaultShare(fake);
        },
      },
    ),
  listPageSize: 5,
});

const live = process.env.TRELLIS_AWS_LIVE === '1';
const liveSpec = process.env.TRELLIS_AWS_MACHINE_CLASS;
const liveRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
describe.skipIf(!live || !liveSpec || !liveRegion)(
  'live AWS (set TRELLIS_AWS_LIVE=1, AWS_REGION, AWS credentials and TRELLIS_AWS_MACHINE_CLASS=<machine class JSON> to run)',
  () => {
    machineProviderConformance<AwsMachineClass>({
      name: 'AWS machines against real EC2',
      setup: async () => {
        const context = createAwsProviderContext({ region: liveRegion!, listPageSize: 5 });
        return {
          provider: createAwsMachineProvider(context),
          spec: JSON.parse(liveSpec!) as AwsMachineClass,
          invalidSpecs: [{ spec: { ...JSON.parse(liveSpec!), ami: '' }, path: 'ami' }],
          cleanup: async () => context.clients.destroy(),
        };
      },
      listPageSize: 5,
      concurrentCreates: 3,
      timeoutMs: 600_000,
    });
  },
);
