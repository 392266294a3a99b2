import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Machine } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, processExists, runCli, waitFor } from './run-cli.js';

interface GcOutput {
  cluster: string;
  dryRun: boolean;
  minAgeMs: number;
  orphans: Array<{ name: string; reason: string; phase: string; action: string; ageSeconds: number }>;
}

describe('trellis machine gc', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;
  const pids: Record<string, number> = {};

  beforeAll(async () => {
    workspace = await createWorkspace({
      'trellis.yaml': 'cluster: gc-test\nregion: local\nmachineClass:\n  machineType: local-small\n',
    });
    const { directory } = workspace;
    for (const [name, body] of [
      ['keep-me', 'exec sleep 300'],
      ['orphan', 'exec sleep 300'],
      ['crashed', 'exit 3'],
    ] as const) {
      const pidFile = join(directory, `${name}.pid`);
      const script = join(directory, `${name}.sh`);
      await writeFile(script, `echo $$ > '${pidFile}'\n${body}\n`);
      const created = await runCli(directory, ['machine', 'create', name, '--user-data', script]);
      expect(created.code).toBe(0);
      await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
      pids[name] = Number(readFileSync(pidFile, 'utf8'));
    }
    await waitFor(() => !processExists(pids.crashed ?? 0));
  });

  afterAll(async () => {
    await runCli(workspace.directory, ['machine', 'delete', 'keep-me', 'orphan', 'crashed']);
    await workspace.remove();
  });

  const gc = async (...args: string[]) => {
    const result = await runCli(workspace.directory, ['machine', 'gc', '-o', 'json', ...args]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return parseJson<GcOutput>(result.stdout);
  };

  it('lists the orphans with their age and deletes nothing by default; young ones are protected', async () => {
    const dry = await gc('--keep', 'keep-me');
    expect(dry).toMatchObject({ cluster: 'gc-test', dryRun: true, minAgeMs: 600_000 });
    expect(
      dry.orphans.map(({ name, reason, phase, action }) => [name, reason, phase, action]).sort(),
    ).toEqual([
      ['crashed', 'leftover', 'Terminated', 'kept (too young)'],
      ['orphan', 'unaccounted', 'Running', 'kept (too young)'],
    ]);
    const old = await gc('--keep', 'keep-me', '--min-age', '0');
    expect(old.orphans.map((orphan) => orphan.action)).toEqual(['would delete', 'would delete']);
    expect(processExists(pids.orphan ?? 0)).toBe(true);
    const table = await runCli(workspace.directory, ['machine', 'gc', '--keep', 'keep-me', '--min-age', '0']);
    expect(table.stdout).toMatch(/^NAME\s+REASON\s+PHASE\s+AGE/);
    expect(table.stdout).toContain('a dry run: --yes deletes');
  });

  it('deletes with --yes what nothing accounts for (names from --known), and keeps the rest', async () => {
    await writeFile(join(workspace.directory, 'pool.txt'), '# the pool\nkeep-me\n');
    const done = await gc('--known', 'pool.txt', '--min-age', '0s', '--yes');
    expect(done.dryRun).toBe(false);
    expect(done.orphans.map((orphan) => [orphan.name, orphan.action]).sort()).toEqual([
      ['crashed', 'deleted'],
      ['orphan', 'deleted'],
    ]);
    expect(processExists(pids.orphan ?? 0)).toBe(false);
    expect(processExists(pids['keep-me'] ?? 0)).toBe(true);
    const listed = await runCli(workspace.directory, ['machine', 'list', '--all', '-o', 'json']);
    expect(parseJson<Machine[]>(listed.stdout).map((machine) => machine.name)).toEqual(['keep-me']);
    expect((await gc('--keep', 'keep-me', '--min-age', '0')).orphans).toEqual([]);
  });

  it('rejects a bad --min-age and a bad name with exit code 2', async () => {
    const badAge = await runCli(workspace.directory, ['machine', 'gc', '--min-age', 'soon']);
    expect(badAge.code).toBe(2);
    expect(badAge.stderr).toContain('--min-age: "soon" is not a duration');
    const badName = await runCli(workspace.directory, ['machine', 'gc', '--keep', 'Not_A_Name']);
    expect(badName.code).toBe(2);
  });
});
