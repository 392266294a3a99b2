import {
  backupStoreConformance,
  createMemoryBackupStore,
  createMemoryInfrastructureProvider,
  createMemoryMachineProvider,
  infrastructureProviderConformance,
  machineProviderConformance,
} from '../src/index.js';

machineProviderConformance({
  name: 'memory',
  listPageSize: 5,
  setup: async () => {
    const provider = createMemoryMachineProvider({ listPageSize: 5 });
    return {
      provider,
      spec: { machineType: 'memory.small', zone: 'zone-a' },
      invalidSpecs: [
        { spec: { zone: 'zone-a' }, path: 'machineType' },
        {
          spec: { machineType: 'memory.small', zone: 'zone-a', rootVolumeSizeGiB: -1 },
          path: 'rootVolumeSizeGiB',
        },
      ],
      countVms: async (cluster, name) => provider.countVms(cluster, name),
      callCount: () => provider.callCount(),
    };
  },
});

for (const provider of ['aws', 'gcp', 'azure', 'alicloud'] as const) {
  machineProviderConformance({
    name: `memory with ${provider} provider ids`,
    setup: async () => ({
      provider: createMemoryMachineProvider({ provider }),
      spec: { machineType: 'memory.small', zone: 'eu-west-1a' },
      invalidSpecs: [{ spec: { machineType: '', zone: 'eu-west-1a' }, path: 'machineType' }],
    }),
  });
}

infrastructureProviderConformance({
  name: 'memory',
  setup: async () => {
    const provider = createMemoryInfrastructureProvider();
    return {
      provider,
      region: 'memory-1',
      config: {
        networkCidr: '10.0.0.0/16',
        zones: [
          { name: 'zone-a', nodesCidr: '10.0.0.0/24' },
          { name: 'zone-b', nodesCidr: '10.0.1.0/24' },
          { name: 'zone-c', nodesCidr: '10.0.2.0/24' },
        ],
      },
      zones: ['zone-a', 'zone-b', 'zone-c'],
      invalidConfigs: [
        {
          config: { networkCidr: '10.0.0.1/16', zones: [{ name: 'a', nodesCidr: '10.0.0.0/24' }] },
          path: 'networkCidr',
        },
        {
          config: {
            networkCidr: '10.0.0.0/16',
            zones: [
              { name: 'a', nodesCidr: '10.0.0.0/24' },
              { name: 'b', nodesCidr: '10.1.0.0/24' },
            ],
          },
          path: 'zones[1].nodesCidr',
        },
        {
          config: {
            networkCidr: '10.0.0.0/16',
            zones: [
              { name: 'a', nodesCidr: '10.0.0.0/24' },
              { name: 'b', nodesCidr: '10.0.0.0/25' },
            ],
          },
          path: 'zones[1].nodesCidr',
        },
        { config: { networkCidr: '10.0.0.0/16', zones: [] }, path: 'zones' },
      ],
      inventory: async () => provider.inventory(),
      createForeignResource: async () => provider.createForeignResource(),
    };
  },
});

backupStoreConformance({
  name: 'memory',
  setup: async () => ({ store: createMemoryBackupStore() }),
});
