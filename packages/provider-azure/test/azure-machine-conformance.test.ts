import { machineProviderConformance } from '@trellis/testkit';
import type { AzureMachineClass } from '../src/index.js';
import { machineSubject } from './azure-machine-harness.js';

machineProviderConformance<AzureMachineClass>({
  name: 'Azure machines against the offline ARM fake',
  setup: () => machineSubject(),
  listPageSize: 5,
});

machineProviderConformance<AzureMachineClass>({
  name: 'Azure machines against the fake with 20% throttling and 5xx on every call',
  setup: () =>
    machineSubject({
      faults: (fake) => {
        fake.faults.add({ kind: 'throttle', rate: 0.1 });
        fake.faults.add({ kind: 'server-error', rate: 0.05, status: 500 });
        fake.faults.add({ kind: 'server-error', rate: 0.05, status: 503 });
      },
    }),
  listPageSize: 5,
});
