import { machineProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
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
        injectFaultShare(fake);
      },
    }),
  listPageSize: 5,
});
