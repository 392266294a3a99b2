import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyInfrastructureState, TrellisError } from '@trellis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStateFileWriter, readStateFile, type StateFile } from './state-file.js';

function content(step: number): StateFile {
  const state = { ...emptyInfrastructureState('local'), completedSteps: [`step-${step}`] };
  return { version: 'v1', provider: 'local', cluster: 'c', region: 'r', updatedAt: `${step}`, state };
}

describe('state file', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'trellis-state-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the last of many unawaited writes and leaves no temp file', async () => {
    const path = join(directory, 'nested', 'infra.json');
    const write = createStateFileWriter(path);
    await Promise.all(Array.from({ length: 25 }, (_, step) => write(content(step))));
    expect((await readStateFile(path))?.state.completedSteps).toEqual(['step-24']);
    expect(await readdir(join(directory, 'nested'))).toEqual(['infra.json']);
  });

  it('reports a corrupt file with field paths and leaves it as it was', async () => {
    const path = join(directory, 'infra.json');
    const corrupt = JSON.stringify({
      ...content(1),
      state: { version: 'v1', resources: { vpc: { id: 1 } } },
    });
    await writeFile(path, corrupt);
    const error = await readStateFile(path, 'infra.json').catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect((error as TrellisError).issues.map((issue) => issue.path)).toEqual([
      'state.provider',
      'state.resources.vpc.id',
      'state.resources.vpc.kind',
      'state.completedSteps',
    ]);
    expect(await readFile(path, 'utf8')).toBe(corrupt);
    expect(await readStateFile(join(directory, 'absent.json'))).toBeUndefined();
  });
});
