import { infrastructureProviderConformance } from '@trellis/testkit';
import { LocalCloudResources } from '../src/local-cloud-resources.js';
import { temporaryProvider } from './local-test-helpers.js';

infrastructureProviderConformance({
  name: 'local',
  setup: async () => {
    const { provider, stateDirectory, cleanup } = await temporaryProvider();
    const cloud = new LocalCloudResources(() => stateDirectory);
    return {
      provider: provider.infrastructure,
      region: 'local',
      config: {
        networks: {
          cidr: '10.0.0.0/16',
          zones: [
            { name: 'zone-a', workers: '10.0.0.0/24', public: '10.0.100.0/24', internal: '10.0.200.0/24' },
            { name: 'zone-b', workers: '10.0.1.0/24' },
          ],
        },
      },
      zones: ['zone-a', 'zone-b'],
      invalidConfigs: [
        {
          config: { networks: { cidr: '10.0.0.1/16', zones: [{ name: 'a', workers: '10.0.0.0/24' }] } },
          path: 'networks.cidr',
        },
        { config: { networks: { cidr: '10.0.0.0/16', zones: [] } }, path: 'networks.zones' },
        {
          config: {
            networks: {
              cidr: '10.0.0.0/16',
              zones: [
                { name: 'a', workers: '10.0.0.0/24', public: '10.0.1.0/24' },
                { name: 'b', workers: '10.0.1.0/24' },
              ],
            },
          },
          path: 'networks.zones[1].workers',
        },
        {
          config: { networks: { cidr: '10.0.0.0/16', zones: [{ name: 'a', workers: '10.1.0.0/24' }] } },
          path: 'networks.zones[0].workers',
        },
        {
          config: {
            networks: {
              cidr: '10.0.0.0/16',
              zones: [
                { name: 'a', workers: '10.0.0.0/24' },
                { name: 'a', workers: '10.0.1.0/24' },
              ],
            },
          },
          path: 'networks.zones[1].name',
        },
        {
          config: { networks: { cidr: 'not-a-cidr', zones: [{ name: 'a', workers: '10.0.0.0/24' }] } },
          path: 'networks.cidr',
        },
      ],
      inventory: async () => (await provider.inventory()).map((resource) => resource.id),
      createForeignResource: async () => {
        const id = 'net-foreign0';
        await cloud.put({
          version: 'v1',
          id,
          kind: 'network',
          cluster: 'someone-else',
          region: 'local',
          attributes: { cidr: '192.168.0.0/16' },
        });
        return id;
      },
      cleanup,
    };
  },
});
