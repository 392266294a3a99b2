import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredSnapshot } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, runCli } from './run-cli.js';

const CONFIG = `cluster: backup-test
backup:
  directory: snapshots
  prefix: etcd/main
`;

describe('trellis backup', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;
  const full = randomBytes(3 * 1024 * 1024 + 7);
  const delta = randomBytes(65_537);

  beforeAll(async () => {
    workspace = await createWorkspace({ 'trellis.yaml': CONFIG });
    await writeFile(join(workspace.directory, 'full.db'), full);
  });

  afterAll(async () => {
    await workspace.remove();
  });

  it('saves from a file and stdin, lists, fetches byte-exact to a file and stdout, deletes', async () => {
    const { directory } = workspace;
    const saved = await runCli(directory, [
      'backup',
      'save',
      'full.db',
      '--last-revision',
      '100',
      '-o',
      'json',
    ]);
    expect(saved.stderr).toBe('');
    expect(saved.code).toBe(0);
    const fullName = parseJson<StoredSnapshot>(saved.stdout).name;
    expect(fullName).toMatch(/^Full-00000000-00000100-\d+$/);

    const piped = await runCli(
      directory,
      [
        'backup',
        'save',
        '-',
        '--kind',
        'Incr',
        '--start-revision',
        '101',
        '--last-revision',
        '150',
        '-o',
        'json',
      ],
      delta,
    );
    expect(piped.code).toBe(0);
    const deltaName = parseJson<StoredSnapshot>(piped.stdout).name;

    const listed = await runCli(directory, ['backup', 'list', '-o', 'json']);
    const snapshots = parseJson<StoredSnapshot[]>(listed.stdout);
    expect(snapshots.map((snapshot) => snapshot.name)).toEqual([fullName, deltaName]);
    expect(snapshots.map((snapshot) => snapshot.size)).toEqual([full.length, delta.length]);

    const toFile = await runCli(directory, ['backup', 'fetch', fullName, 'restored.db']);
    expect(toFile.code).toBe(0);
    expect((await readFile(join(directory, 'restored.db'))).equals(full)).toBe(true);
    const toStdout = await runCli(directory, ['backup', 'fetch', deltaName]);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdoutBytes.equals(delta)).toBe(true);

    const deleted = await runCli(directory, ['backup', 'delete', deltaName]);
    expect(deleted.code).toBe(0);
    const after = await runCli(directory, ['backup', 'list', '-o', 'json']);
    expect(parseJson<StoredSnapshot[]>(after.stdout).map((snapshot) => snapshot.name)).toEqual([fullName]);
    const missing = await runCli(directory, ['backup', 'fetch', deltaName, 'nothing.db']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error \[NotFound\]/);
    await expect(readFile(join(directory, 'nothing.db'))).rejects.toThrow();
  });

  it('garbage-collects with the LimitBased policy, keeping the newest fulls', async () => {
    const { directory } = workspace;
    const hour = 3_600_000;
    const start = Date.now() - 10 * hour;
    const names: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const created = new Date(start + index * hour).toISOString();
      const result = await runCli(
        directory,
        ['backup', 'save', '-', '--last-revision', String(1000 + index), '--created', created, '-o', 'json'],
        `snapshot ${index}`,
      );
      expect(result.code).toBe(0);
      names.push(parseJson<StoredSnapshot>(result.stdout).name);
    }
    const before = parseJson<StoredSnapshot[]>(
      (await runCli(directory, ['backup', 'list', '-o', 'json'])).stdout,
    );
    const dryRun = await runCli(directory, [
      'backup',
      'gc',
      '--policy',
      'LimitBased',
      '--max-backups',
      '2',
      '--dry-run',
      '-o',
      'json',
    ]);
    expect(dryRun.code).toBe(0);
    const planned = parseJson<{ deleted: StoredSnapshot[] }>(dryRun.stdout).deleted.map(
      (snapshot) => snapshot.name,
    );
    expect(planned.length).toBe(before.length - 2);
    const unchanged = parseJson<StoredSnapshot[]>(
      (await runCli(directory, ['backup', 'list', '-o', 'json'])).stdout,
    );
    expect(unchanged.length).toBe(before.length);

    const gc = await runCli(directory, [
      'backup',
      'gc',
      '--policy',
      'LimitBased',
      '--max-backups',
      '2',
      '--delta-retention',
      '1h',
    ]);
    expect(gc.code).toBe(0);
    const remaining = parseJson<StoredSnapshot[]>(
      (await runCli(directory, ['backup', 'list', '-o', 'json'])).stdout,
    );
    expect(remaining.map((snapshot) => snapshot.name)).toEqual(names.slice(-2));

    const again = await runCli(directory, [
      'backup',
      'gc',
      '--policy',
      'LimitBased',
      '--max-backups',
      '2',
      '-o',
      'json',
    ]);
    expect(parseJson<{ deleted: unknown[] }>(again.stdout).deleted).toEqual([]);
  });

  it('rejects a bad duration and a bad snapshot name with exit code 2', async () => {
    const duration = await runCli(workspace.directory, ['backup', 'gc', '--delta-retention', 'soon']);
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain('  --delta-retention: "soon" is not a duration');
    const name = await runCli(workspace.directory, ['backup', 'fetch', 'backup.db']);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/^error \[InvalidArgument\]: "backup.db" is not a snapshot name/);
  });
});
