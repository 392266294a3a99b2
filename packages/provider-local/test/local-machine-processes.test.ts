import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { countMachineProcessGroups, useTemporaryProvider } from './local-test-helpers.js';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('local machines across processes', () => {
  const local = useTemporaryProvider();

  it('gives one machine when separate Node processes create the same machine at once', async () => {
    const startAt = String(Date.now() + 2500);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(
          process.execPath,
          [
            '--import',
            fixture('typescript-source-hooks.mjs'),
            fixture('create-machine-process.ts'),
            local.stateDirectory,
            'race',
            'worker-0',
            startAt,
          ],
          { timeout: 60_000 },
        ),
      ),
    );
    const machines = outputs.map(({ stdout }) => JSON.parse(stdout) as { providerId: string; phase: string });
    expect(new Set(machines.map((machine) => machine.providerId)).size).toBe(1);
    expect(machines.every((machine) => machine.phase === 'Running')).toBe(true);
    expect(await countMachineProcessGroups('race', 'worker-0')).toBe(1);
    const fromHere = await local.provider.machines.getMachine({ cluster: 'race', name: 'worker-0' });
    expect(fromHere.providerId).toBe(machines[0]?.providerId);
    await local.provider.machines.deleteMachine({ cluster: 'race', name: 'worker-0' });
    expect(await countMachineProcessGroups('race', 'worker-0')).toBe(0);
  });
});
