import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEtcdClient,
  findExecutable,
  restoreEtcd,
  startEtcdServer,
  takeDeltaSnapshot,
  takeFullSnapshot,
} from '@trellis/etcd-backup';
import OSS from 'ali-oss';
import { describe, expect, it } from 'vitest';
import { createOssBackupStore, ensureOssBucket, type OssClient } from '../src/index.js';
import { FAKE_ACCESS_KEY, startOssFake } from '../src/testing/index.js';

const etcdInstalled = Boolean(findExecutable('etcd') && findExecutable('etcdctl'));
if (!etcdInstalled) {
  const message = '!!! etcd/etcdctl not on PATH: the OSS + etcd-backup test is SKIPPED';
  if (process.env.CI) throw new Error(`${message}; in CI it must run`);
  console.warn(message);
}

describe.skipIf(!etcdInstalled)('etcd backups in OSS (the offline fake), end to end', () => {
  it('saves a full and a delta snapshot of a real etcd into OSS and restores the same keys and revision', async () => {
    const work = await mkdtemp(join(tmpdir(), 'trellis-oss-etcd-'));
    const fake = await startOssFake();
    const etcd = await startEtcdServer({ dataDirectory: join(work, 'source') });
    const client = createEtcdClient({ endpoints: [etcd.endpoint] });
    try {
      const oss = new OSS({
        ...FAKE_ACCESS_KEY,
        bucket: 'etcd-backups',
        region: 'oss-eu-central-1',
        endpoint: fake.url,
      });
      await ensureOssBucket(oss as never, 'etcd-backups');
      const store = createOssBackupStore({
        client: oss as unknown as OssClient,
        prefix: 'shoot--dev/etcd-main',
        partSize: 100 * 1024,
      });
      for (let index = 0; index < 200; index++) await client.put(`key/${index}`).value(`value-${index}`);
      const full = await takeFullSnapshot({ client, store });
      await client.delete().key('key/7');
      await client.put('key/new').value('after the full snapshot');
      const delta = await takeDeltaSnapshot({ client, store, sinceRevision: full.lastRevision });
      expect(delta?.kind).toBe('Incr');
      const expected = await client.getAll().strings();
      const revision = Number((await client.kv.range({ key: Buffer.from('key/0') })).header.revision);

      const restored = await restoreEtcd({ store, dataDirectory: join(work, 'restored') });
      expect(restored.revision).toBe(revision);
      const check = await startEtcdServer({ dataDirectory: join(work, 'restored') });
      const checkClient = createEtcdClient({ endpoints: [check.endpoint] });
      try {
        expect(await checkClient.getAll().strings()).toEqual(expected);
      } finally {
        checkClient.close();
        await check.stop();
      }
    } finally {
      client.close();
      await etcd.stop();
      await fake.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);
});
