import { machineProviderConformance } from '@trellis/testkit';
import type { GcpMachineClass } from '../src/index.js';
import { machineSubject } from './gcp-machine-harness.js';

machineProviderConformance<GcpMachineClass>({
  name: 'GCP machines against the offline GCE fake',
  setup: () => machineSubject(),
  listPageSize: 5,
});

machineProviderConformance<GcpMachineClass>({
  name: 'GCP machines against the fake with 20% throttling and 5xx on every call',
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
