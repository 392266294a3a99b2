import { machineProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
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
        injectFaultShare(fake);
      },
    }),
  listPageSize: 5,
});
