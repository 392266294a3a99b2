import { parseProviderId } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { createMemoryMachineProvider } from './memory-machine-provider.js';

const spec = { machineType: 'memory.small', zone: 'eu-west-1a' };

describe('memory machine provider', () => {
  it.each(['local', 'aws', 'gcp', 'azure', 'alicloud'] as const)(
    'makes %s provider ids',
    async (provider) => {
      const machines = createMemoryMachineProvider({ provider });
      const machine = await machines.createMachine({ cluster: 'shoot', name: 'worker-0', spec });
      expect(machines.provider).toBe(provider);
      expect(parseProviderId(machine.providerId).provider).toBe(provider);
    },
  );

  it('lists by extra tags too, and keeps ownership tags over caller tags', async () => {
    const machines = createMemoryMachineProvider();
    await machines.createMachine({ cluster: 'shoot', name: 'a', spec, tags: { pool: 'x', Name: 'evil' } });
    await machines.createMachine({ cluster: 'shoot', name: 'b', spec, tags: { pool: 'y' } });
    const found = [];
    for await (const machine of machines.listMachines({ cluster: 'shoot', tags: { pool: 'x' } }))
      found.push(machine);
    expect(found.map((machine) => [machine.name, machine.tags.Name])).toEqual([['a', 'a']]);
  });

  it('applies spec defaults and reports every problem with its path', () => {
    const machines = createMemoryMachineProvider();
    expect(machines.validateSpec(spec)).toEqual({ ...spec, rootVolumeSizeGiB: 10 });
    expect(() => machines.validateSpec({ zone: '', rootVolumeSizeGiB: 1.5 })).toThrow(
      /machineType.*zone.*rootVolumeSizeGiB|machineType/s,
    );
  });
});
