import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from '@trellis/core';
import { createLocalProvider } from '@trellis/provider-local';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { machinePoolCrd } from '../src/crd.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the machine-pool controller example', () => {
  it('ships the MachinePool CRD generated from the local provider machine class schema', async () => {
    expect(await readFile(join(root, 'deploy', 'machinepool-crd.local.yaml'), 'utf8')).toBe(
      stringify(await machinePoolCrd('local')),
    );
  });

  it('keeps the pools of the watched file, follows an edit, and stops cleanly on SIGTERM', async () => {
    const work = await mkdtemp(join(tmpdir(), 'trellis-pool-example-'));
    const stateDirectory = join(work, 'state');
    const file = join(work, 'pools.yaml');
    const write = (replicas: number) =>
      writeFile(
        file,
        stringify({
          pools: [
            {
              name: 'web',
              cluster: 'example',
              replicas,
              machineClass: { machineType: 'local-small' },
              userData: 'exec sleep 300',
            },
          ],
        }),
      );
    await write(2);
    const local = createLocalProvider({ stateDirectory });
    const running = async () => {
      const machines: Machine[] = [];
      for await (const machine of local.machines.listMachines({ cluster: 'example' })) machines.push(machine);
      return machines.filter((machine) => machine.phase === 'Running').length;
    };
    const until = async (check: () => Promise<boolean>) => {
      const end = Date.now() + 30_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`not in time: ${output.slice(-600)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const child = spawn(process.execPath, [join(root, 'src', 'controller.ts')], {
      cwd: root,
      env: {
        ...process.env,
        TRELLIS_POOLS_FILE: file,
        TRELLIS_STATE_DIRECTORY: stateDirectory,
        TRELLIS_PROGRESS_MS: '100',
        TRELLIS_GRACE_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += `stderr: ${chunk.toString('utf8')}`;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    try {
      await until(async () => (await running()) === 2);
      await write(1);
      await until(async () => (await running()) === 1);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { message: string; metrics?: Record<string, number> });
      expect(lines.some((line) => line.message === 'desired pools')).toBe(true);
      expect(lines.at(-1)?.message).toBe('stopped');
      expect(lines.at(-1)?.metrics?.trellis_reconciles_total).toBeGreaterThan(1);
    } finally {
      child.kill('SIGKILL');
      for await (const machine of local.machines.listMachines({
        cluster: 'example',
        includeTerminated: true,
      }))
        await local.machines.deleteMachine(machine);
      await rm(work, { recursive: true, force: true });
    }
  });
});
