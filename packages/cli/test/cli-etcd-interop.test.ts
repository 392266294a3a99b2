import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CompressionSuffix } from '@trellis/core';
import { createEtcdClient, currentRevision, type EtcdServer, startEtcdServer } from '@trellis/etcd-backup';
import {
  type EtcdContents,
  etcdAvailable,
  readEtcdContents,
  readRestoredEtcdContents,
} from '@trellis/etcd-backup/testing';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress, ebrDeltaPayload, etcdctlSnapshot, eventsBetween, put, v2Path } from './ebr-fixtures.js';
import { createWorkspace, runCli } from './run-cli.js';

const etcdInstalled = etcdAvailable('the etcd-backup-restore fixture tests');

const pad = (revision: number) => String(revision).padStart(8, '0');

describe.skipIf(!etcdInstalled)("restoring etcd-backup-restore's snapshots through the CLI", () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;
  let source: EtcdServer;
  let client: Etcd3;
  let full: Buffer;
  let delta1: Buffer;
  let delta2: Buffer;
  let revisions: { full: number; first: number; second: number };
  let expected: EtcdContents;
  let liveLease: string;
  const created = 1_790_000_000;

  beforeAll(async () => {
    workspace = await createWorkspace();
    source = await startEtcdServer({ dataDirectory: join(workspace.directory, 'source') });
    client = createEtcdClient({ endpoints: [source.endpoint] });
    for (let index = 0; index < 50; index++) await client.put(`a/${index}`).value(`value-${index}`);
    const kept = client.lease(600, { autoKeepAlive: false });
    await kept.put('leased/live-1').value('kept by a lease in the full snapshot');
    liveLease = await kept.grant();
    full = await etcdctlSnapshot(source.endpoint, join(workspace.directory, 'full.db'));
    const fullRevision = await currentRevision(client);

    // First delta: an overwrite, a delete, a two-key transaction (one revision), a binary key.
    await client.put('a/1').value('overwritten');
    await client.delete().key('a/2');
    await client.kv.txn({
      success: [
        { request_put: { key: Buffer.from('b/x'), value: Buffer.from('X') } },
        { request_put: { key: Buffer.from('b/y'), value: Buffer.from('Y') } },
      ],
    });
    await client.put(Buffer.from([0xff, 0x00])).value(Buffer.from([1, 2, 3]));
    const firstRevision = await currentRevision(client);

    // Second delta: keys of a lease that is revoked (etcd deletes them), a key on a new live
    // lease, and a prefix delete.
    const doomed = client.lease(300, { autoKeepAlive: false });
    await doomed.put('leased/doomed-1').value('d1');
    await doomed.put('leased/doomed-2').value('d2');
    await doomed.revoke();
    const later = client.lease(900, { autoKeepAlive: false });
    await later.put('leased/live-2').value('on a lease the delta names without its TTL');
    await client.delete().prefix('a/4');
    const secondRevision = await currentRevision(client);
    revisions = { full: fullRevision, first: firstRevision, second: secondRevision };

    const time = new Date(created * 1000);
    delta1 = ebrDeltaPayload(await eventsBetween(client, fullRevision + 1, firstRevision), time);
    delta2 = ebrDeltaPayload(await eventsBetween(client, firstRevision + 1, secondRevision), time);
    const source_ = await readEtcdContents(client);
    // etcd-backup-restore's deltas carry no lease TTL: like its own restore, the key comes back
    // without a lease, and a lease the full snapshot did not hold is not invented.
    const entries = new Map(source_.entries);
    const [value, , ...revisionsOfKey] = source_.entries.get('leased/live-2')?.split('|') ?? [];
    entries.set('leased/live-2', [value, '0', ...revisionsOfKey].join('|'));
    expected = { revision: source_.revision, entries, leases: [liveLease] };
    await later.revoke();
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await source?.stop();
    await workspace?.remove();
  });

  /** Writes the full snapshot and the deltas under `prefix` as etcd-backup-restore names them. */
  async function writeSnapshots(prefix: string, suffix: CompressionSuffix, deltas = 2) {
    const store = join(workspace.directory, 'store');
    await put(
      v2Path(store, prefix, `Full-00000000-${pad(revisions.full)}-${created}${suffix}`),
      compress(full, suffix),
    );
    if (deltas >= 1) {
      const name = `Incr-${pad(revisions.full + 1)}-${pad(revisions.first)}-${created + 10}${suffix}`;
      await put(v2Path(store, prefix, name), compress(delta1, suffix));
    }
    if (deltas >= 2) {
      const name = `Incr-${pad(revisions.first + 1)}-${pad(revisions.second)}-${created + 20}${suffix}`;
      await put(v2Path(store, prefix, name), compress(delta2, suffix));
    }
    return store;
  }

  async function restoreWithCli(prefix: string) {
    const config = `restore-${prefix}.yaml`;
    await put(join(workspace.directory, config), `backup:\n  directory: store\n  prefix: ${prefix}\n`);
    const dataDirectory = join(workspace.directory, `restored-${prefix}`);
    const result = await runCli(workspace.directory, [
      '-c',
      config,
      'etcd',
      'restore',
      '--data-dir',
      dataDirectory,
    ]);
    return { result, dataDirectory };
  }

  it.each([
    ['gzip', '.gz'],
    ['zlib', '.zlib'],
    ['lzw', '.Z'],
    ['uncompressed', ''],
  ] as const)(
    'restores a %s full snapshot and its deltas key by key, lease by lease, to the same revision',
    async (label, suffix) => {
      const prefix = `ebr-${label}`;
      const store = await writeSnapshots(prefix, suffix);
      if (suffix === '.gz') {
        // An interrupted chunked upload: a directory named like a newer full snapshot.
        await put(
          join(
            v2Path(store, prefix, `Full-00000000-${pad(revisions.second + 1000)}-${created + 30}.gz`),
            '0000000001',
          ),
          'chunk',
        );
      }
      const { result, dataDirectory } = await restoreWithCli(prefix);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(await readRestoredEtcdContents(dataDirectory)).toEqual(expected);
    },
    120_000,
  );

  it('refuses, naming them, when snapshots in the v1 layout are newer than the v2 ones', async () => {
    const prefix = 'ebr-v1-newer';
    const store = await writeSnapshots(prefix, '.gz', 1);
    await put(
      join(
        store,
        prefix,
        'v1',
        `Backup-${created + 40}`,
        `Full-00000000-${pad(revisions.second)}-${created + 40}`,
      ),
      full,
    );
    const { result, dataDirectory } = await restoreWithCli(prefix);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[Unimplemented]');
    expect(result.stderr).toContain(
      `${prefix}/v1/Backup-${created + 40}/Full-00000000-${pad(revisions.second)}`,
    );
    expect(result.stderr).toContain(`the v2 snapshots reach revision ${revisions.first} only`);
    expect(existsSync(dataDirectory)).toBe(false);
  }, 120_000);

  it('restores the v2 snapshots when the v1 ones are older', async () => {
    const prefix = 'ebr-v1-older';
    const store = await writeSnapshots(prefix, '.gz');
    await put(
      join(store, prefix, 'v1', `Backup-${created - 3600}`, `Full-00000000-00000002-${created - 3600}`),
      full,
    );
    const { result, dataDirectory } = await restoreWithCli(prefix);
    expect(result.code).toBe(0);
    expect(await readRestoredEtcdContents(dataDirectory)).toEqual(expected);
  }, 120_000);
});
