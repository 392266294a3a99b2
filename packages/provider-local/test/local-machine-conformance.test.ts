import { machineProviderConformance } from '@trellis/testkit';
import type { LocalMachineClass } from '../src/index.js';
import { countMachineProcessGroups, temporaryProvider } from './local-test-helpers.js';

const listPageSize = 4;

machineProviderConformance<LocalMachineClass>({
  name: 'local',
  listPageSize,
  setup: async () => {
    const { provider, cleanup } = await temporaryProvider({ listPageSize, gracePeriodMs: 2000 });
    return {
      provider: provider.machines,
      spec: { machineType: 'local', environment: { ROLE: 'worker' } },
      invalidSpecs: [
        { spec: { machineType: 5 }, path: 'spec.machineType' },
        { spec: { environment: { '1NOT_A_NAME': 'x' } }, path: 'spec.environment.1NOT_A_NAME' },
        { spec: { zone: '' }, path: 'spec.zone' },
        { spec: { unknownField: true }, path: 'spec' },
      ],
      // Counted from the live processes themselves, independently of the provider's state files.
      countVms: (cluster, name) => countMachineProcessGroups(cluster, name),
      cleanup,
    };
  },
});
