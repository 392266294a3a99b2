import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { createLocalProvider, providerDefinition } from './index.js';

describe('createLocalProvider', () => {
  it('is loadable by type name and exposes all three contracts with their schemas', () => {
    expect(providerDefinition.type).toBe('local');
    const provider = providerDefinition.create({ stateDirectory: path.join(tmpdir(), 'unused') });
    expect(provider.provider).toBe('local');
    expect(provider.machines.provider).toBe('local');
    expect(provider.infrastructure.provider).toBe('local');
    expect(provider.schemas.machineClass.toJsonSchema()).toMatchObject({ type: 'object' });
    expect(provider.schemas.infrastructureConfig.toJsonSchema()).toMatchObject({ type: 'object' });
    expect(provider.schemas.backupConfig.toJsonSchema()).toMatchObject({ type: 'object' });
  });

  it('rejects bad settings with their field paths', () => {
    let caught: unknown;
    try {
      createLocalProvider({ gracePeriodMs: -1, listPageSize: 0, logger: {} } as never);
    } catch (error) {
      caught = error;
    }
    expect(TrellisError.hasCode(caught, 'InvalidArgument')).toBe(true);
    expect((caught as TrellisError).issues.map((issue) => issue.path).sort()).toEqual([
      'gracePeriodMs',
      'listPageSize',
      'logger',
    ]);
  });

  it('touches nothing on disk until the first call', async () => {
    const root = await fs.mkdtemp(path.join(tmpdir(), 'trellis-local-lazy-'));
    const stateDirectory = path.join(root, 'state');
    const provider = createLocalProvider({ stateDirectory });
    provider.backupStore({ prefix: 'etcd' });
    await expect(fs.access(stateDirectory)).rejects.toThrow();
    await expect(provider.machines.getMachine({ cluster: 'c', name: 'm' })).rejects.toMatchObject({
      code: 'NotFound',
    });
    expect(provider.stateDirectory).toBe(stateDirectory);
    await fs.rm(root, { recursive: true, force: true });
  });
});
