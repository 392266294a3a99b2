import { join } from 'node:path';
import type { StoredSnapshot } from '@trellis/core';
import { createEtcdClient, type EtcdServer, findExecutable, startEtcdServer } from '@trellis/etcd-backup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, runCli } from './run-cli.js';

const etcdInstalled = Boolean(findExecutable('etcd') && findExecutable('etcdctl'));
if (!etcdInstalled) {
  const message =
    '!!! etcd/etcdctl not on PATH: `trellis etcd` CLI test SKIPPED (apt-get install etcd-server etcd-client)';
  if (process.env.CI) throw new Error(`${message}; in CI it must run`);
  console.warn(message);
}

describe.skipIf(!etcdInstalled)('trellis etcd', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;
  let etcd: EtcdServer;

  beforeAll(async () => {
    workspace = await createWorkspace({
      'trellis.yaml': 'backup:\n  directory: snapshots\n  prefix: etcd/main\n',
    });
    etcd = await startEtcdServer({ dataDirectory: join(workspace.directory, 'etcd-data') });
  });
  afterAll(async () => {
    await etcd?.stop();
    await workspace?.remove();
  });

  it('snapshots (full, then delta), lists, restores to the same revision, and garbage-collects', async () => {
    const { directory } = workspace;
    const client = createEtcdClient({ endpoints: [etcd.endpoint] });
    try {
      for (let index = 0; index < 100; index++) await client.put(`cli/${index}`).value(`v${index}`);
      const full = await runCli(directory, [
        'etcd',
        'snapshot',
        '--endpoints',
        etcd.endpoint,
        '--full',
        '-o',
        'json',
      ]);
      expect(full.stderr).toBe('');
      expect(full.code).toBe(0);
      expect(parseJson<StoredSnapshot>(full.stdout).name).toMatch(/^Full-00000000-\d{8}-\d+\.gz$/);

      await client.delete().key('cli/7');
      await client.put('cli/new').value('after the full snapshot');
      const delta = await runCli(directory, ['etcd', 'snapshot', '--endpoints', etcd.endpoint, '-o', 'json']);
      expect(delta.code).toBe(0);
      expect(parseJson<StoredSnapshot>(delta.stdout).name).toMatch(/^Incr-/);
      const unchanged = await runCli(directory, ['etcd', 'snapshot', '--endpoints', etcd.endpoint]);
      expect(unchanged.stdout).toContain('nothing saved');

      const list = await runCli(directory, ['etcd', 'list', '-o', 'json']);
      expect(parseJson<StoredSnapshot[]>(list.stdout).map((snapshot) => snapshot.kind)).toEqual([
        'Full',
        'Incr',
      ]);

      const revision = Number((await client.kv.range({ key: Buffer.from('cli/new') })).header.revision);
      const refused = await runCli(directory, [
        'etcd',
        'restore',
        '--data-dir',
        'restored',
        '--fetch-ahead-mib',
        'lots',
      ]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('--fetch-ahead-mib');
      // No delta held ahead: each one is fetched as the one before it is applied.
      const restored = await runCli(directory, [
        'etcd',
        'restore',
        '--data-dir',
        'restored',
        '--fetch-ahead-mib',
        '0',
        '-o',
        'json',
      ]);
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      expect(parseJson<{ revision: number; deltas: string[] }>(restored.stdout)).toMatchObject({
        revision,
        deltas: [expect.stringMatching(/^Incr-/)],
      });

      const again = await runCli(directory, ['etcd', 'restore', '--data-dir', 'restored']);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain('already exists');

      const gc = await runCli(directory, ['etcd', 'gc', '--dry-run', '-o', 'json']);
      expect(parseJson<{ deleted: unknown[] }>(gc.stdout).deleted).toEqual([]);
    } finally {
      client.close();
    }
  }, 60_000);
});
