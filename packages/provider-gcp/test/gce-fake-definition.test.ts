import { describe, expect, it } from 'vitest';
import { createGcpProvider, type GcpProviderSettings } from '../src/index.js';
import { fakeDefinition } from '../src/testing/index.js';
import { machineClass } from './gcp-machine-harness.js';

describe('trellis fake gcp (fakeDefinition)', () => {
  it('starts the GCE fake and prints settings that drive the provider against it', async () => {
    const fakes = await fakeDefinition.start({ faults: [{ kind: 'throttle', rate: 0.1 }] });
    const provider = createGcpProvider({
      ...(fakes.providerSettings as GcpProviderSettings),
      operationPollMs: 5,
    });
    try {
      expect(fakes.endpoints.compute).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const spec = { ...machineClass('cli'), region: 'europe-west1' };
      const machine = await provider.machines.createMachine({ cluster: 'cli', name: 'cli-0', spec });
      expect(machine.providerId).toBe('gce:///trellis-fake/europe-west1-b/cli-0');
      const listed = [];
      for await (const found of provider.machines.listMachines({ cluster: 'cli' })) listed.push(found.name);
      expect(listed).toEqual(['cli-0']);
      await provider.machines.deleteMachine({ cluster: 'cli', name: 'cli-0' });
    } finally {
      await provider.close();
      await fakes.close();
    }
  });
});
