import { machineProviderConformance } from '@trellis/testkit';
import type { AlicloudMachineClass } from '../src/index.js';
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
      fake.faults.add({ kind: 'throttle', rate: 0.1 });
      fake.faults.add({ kind: 'server-error', rate: 0.05, status: 500 });
      fake.faults.add({ kind: 'server-error', rate: 0.05, status: 503 });
    }),
  listPageSize: 10,
});
