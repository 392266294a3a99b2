import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Machine } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, processExists, runCli, waitFor } from './run-cli.js';

const CONFIG = `cluster: cli-test
region: local
machineClass:
  machineType: local-small
`;

describe('trellis machine', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;
  const names = ['alpha', 'beta'];

  beforeAll(async () => {
    workspace = await createWorkspace({ 'trellis.yaml': CONFIG });
  });

  afterAll(async () => {
    await runCli(workspace.directory, ['machine', 'delete', ...names]);
    await workspace.remove();
  });

  it('creates, gets, lists and deletes machines that are real processes', async () => {
    const { directory } = workspace;
    const pids: Record<string, number> = {};
    for (const name of names) {
      const pidFile = join(directory, `${name}.pid`);
      const script = join(directory, `${name}.sh`);
      await writeFile(script, `echo $$ > '${pidFile}'\nexec sleep 300\n`);
      const created = await runCli(directory, [
        'machine',
        'create',
        name,
        '--user-data',
        script,
        '-o',
        'json',
      ]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const machine = parseJson<Machine>(created.stdout);
      expect(machine).toMatchObject({ name, cluster: 'cli-test', machineType: 'local-small' });
      await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
      pids[name] = Number(readFileSync(pidFile, 'utf8'));
      expect(processExists(pids[name] ?? 0)).toBe(true);
    }

    const again = await runCli(directory, ['machine', 'create', 'alpha', '-o', 'json']);
    expect(again.code).toBe(0);
    const got = await runCli(directory, ['machine', 'get', 'alpha', '-o', 'json']);
    expect(got.code).toBe(0);
    expect(parseJson<Machine>(got.stdout).providerId).toBe(parseJson<Machine>(again.stdout).providerId);
    expect(parseJson<Machine>(got.stdout).phase).toBe('Running');

    const listed = await runCli(directory, ['machine', 'list', '-o', 'json']);
    expect(listed.code).toBe(0);
    expect(parseJson<Machine[]>(listed.stdout).map((machine) => machine.name)).toEqual(names);
    const table = await runCli(directory, ['machine', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+PHASE/);
    expect(table.stdout).toMatch(/alpha\s+Running/);

    const deleted = await runCli(directory, ['machine', 'delete', ...names, '-o', 'json']);
    expect(deleted.code).toBe(0);
    for (const name of names) expect(processExists(pids[name] ?? 0)).toBe(false);

    const gone = await runCli(directory, ['machine', 'get', 'alpha']);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/^error \[NotFound\]: .*alpha/);
    const empty = await runCli(directory, ['machine', 'list', '-o', 'json']);
    expect(parseJson(empty.stdout)).toEqual([]);
    const twice = await runCli(directory, ['machine', 'delete', 'alpha']);
    expect(twice.code).toBe(0);
  });

  it('takes the cluster from --cluster over the config file', async () => {
    const listed = await runCli(workspace.directory, ['machine', 'list', '--cluster', 'other', '-o', 'json']);
    expect(listed.code).toBe(0);
    expect(parseJson(listed.stdout)).toEqual([]);
  });
});
