import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrellisError } from '@trellis/core';
import { createLocalProvider } from '@trellis/provider-local';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MachinePool, readPoolFile, watchPoolFile } from '../src/index.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'trellis-pools-'));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

const local = createLocalProvider({ stateDirectory: '/nonexistent' });
const validate = (machineClass: unknown) => local.machines.validateSpec(machineClass);

describe('the pool file', () => {
  it('reads YAML pools and reports every problem with its path, machine classes included', async () => {
    const file = join(directory, 'pools.yaml');
    await writeFile(
      file,
      'pools:\n  - { name: web, cluster: demo, replicas: 2, machineClass: { machineType: small } }\n',
    );
    expect((await readPoolFile(file, validate)).map((pool) => pool.name)).toEqual(['web']);
    await writeFile(
      file,
      'pools:\n  - { name: Web, cluster: demo, replicas: -1, machineClass: { machineType: 7 } }\n  - { name: ok, cluster: demo, replicas: 1, machineClass: {} }\n  - { name: ok, cluster: demo, replicas: 1, machineClass: {} }\n',
    );
    const error = (await readPoolFile(file, validate).catch((caught: unknown) => caught)) as TrellisError;
    expect(error.code).toBe('InvalidArgument');
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'pools[0].name',
      'pools[0].replicas',
      'pools[0].machineClass.machineType',
      'pools[2].name',
    ]);
  });

  it('hands on each valid version of the watched file and keeps the last good pools when an edit is broken', async () => {
    const file = join(directory, 'pools.json');
    await writeFile(file, JSON.stringify([{ name: 'web', cluster: 'demo', replicas: 1, machineClass: {} }]));
    const seen: MachinePool[][] = [];
    const errors: string[] = [];
    const watcher = await watchPoolFile(file, {
      onPools: (pools) => seen.push(pools),
      onError: (error) => errors.push(error.code),
      intervalMs: 20,
    });
    try {
      await writeFile(file, '{ "pools": [ { "name": "web", "clus');
      await until(() => errors.length > 0);
      await writeFile(
        file,
        JSON.stringify({ pools: [{ name: 'web', cluster: 'demo', replicas: 3, machineClass: {} }] }),
      );
      await until(() => seen.length === 2);
      expect(seen.map((pools) => pools[0]?.replicas)).toEqual([1, 3]);
      expect(errors[0]).toBe('InvalidArgument');
    } finally {
      watcher.close();
    }
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
