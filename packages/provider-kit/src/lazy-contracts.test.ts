import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { lazily, lazyMachineProvider } from './lazy-contracts.js';

describe('lazy contracts', () => {
  it('loads the implementation once, on the first call, and validates without loading', async () => {
    let loads = 0;
    const machines = lazyMachineProvider<{ size: number }>({
      provider: 'test',
      validateSpec: (spec) => spec as { size: number },
      load: async () => {
        loads += 1;
        return {
          specificationVersion: 'v1',
          provider: 'test',
          validateSpec: (spec) => spec as { size: number },
          createMachine: async (request) => ({ name: request.name }) as never,
          deleteMachine: async () => {},
          getMachine: async (ref) => ({ name: ref.name }) as never,
          async *listMachines() {
            yield { name: 'a' } as never;
            yield { name: 'b' } as never;
          },
        };
      },
    });
    expect(machines.validateSpec({ size: 1 })).toEqual({ size: 1 });
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([
      machines.getMachine({ cluster: 'c', name: 'x' }),
      machines.getMachine({ cluster: 'c', name: 'y' }),
    ]);
    expect([first.name, second.name]).toEqual(['x', 'y']);
    const names: string[] = [];
    for await (const machine of machines.listMachines({ cluster: 'c' })) names.push(machine.name);
    expect(names).toEqual(['a', 'b']);
    expect(loads).toBe(1);
  });

  it('reports a failed load as Internal naming what failed, and tries again next time', async () => {
    let attempts = 0;
    const load = lazily('machine provider', 'test', async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("Cannot find package '@cloud/sdk'");
      return 'loaded';
    });
    const error = await load().catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Internal')).toBe(true);
    expect((error as Error).message).toBe(
      "could not load the machine provider: Cannot find package '@cloud/sdk'",
    );
    expect(await load()).toBe('loaded');
    expect(attempts).toBe(2);
  });
});
