import { machineProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
import { describe } from 'vitest';
import { type AlicloudMachineClass, createAlicloudMachines } from '../src/index.js';
import { machineSubject } from './alicloud-machine-harness.js';

machineProviderConformance<AlicloudMachineClass>({
  name: 'Alicloud machines against the offline ECS fake',
  setup: () => machineSubject(),
  listPageSize: 10,
});

machineProviderConformance<AlicloudMachineClass>({
  name: 'Alicloud machines against the fake with 20% throttling and 5xx on every action',
  setup: () =>
    machineSubject((fake) => {
      injectFaultShare(fake);
    }),
  listPageSize: 10,
});

const live = process.env.TRELLIS_ALICLOUD_LIVE === '1';
const liveSpec = process.env.TRELLIS_ALICLOUD_MACHINE_CLASS;
const liveRegion = process.env.TRELLIS_ALICLOUD_REGION;
describe.skipIf(!live || !liveSpec || !liveRegion)(
  'live Alibaba Cloud (set TRELLIS_ALICLOUD_LIVE=1, TRELLIS_ALICLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET and TRELLIS_ALICLOUD_MACHINE_CLASS=<machine class JSON> to run)',
  () => {
    machineProviderConformance<AlicloudMachineClass>({
      name: 'Alicloud machines against real ECS',
      setup: async () => {
        const spec = JSON.parse(liveSpec!) as AlicloudMachineClass;
        return {
          provider: createAlicloudMachines({ region: liveRegion!, listPageSize: 10 }),
          spec,
          invalidSpecs: [{ spec: { ...spec, imageID: '' }, path: 'imageID' }],
        };
      },
      listPageSize: 10,
      concurrentCreates: 3,
      timeoutMs: 900_000,
    });
  },
);
