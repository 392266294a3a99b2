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
import { describe, expect, it } from 'vitest';
import { createAzureProvider, ensureBlobContainer } from '../src/index.js';
import { startAzurite } from '../src/testing/index.js';
import { LOCATION, SUBSCRIPTION } from './azure-machine-harness.js';

const etcdInstalled = Boolean(findExecutable('etcd') && findExecutable('etcdctl'));
if (!etcdInstalled) {
  const message = '!!! etcd/etcdctl not on PATH: the Blob + etcd-backup test is SKIPPED';
  if (process.env.CI) throw new Error(`${message}; in CI it must run`);
  console.warn(message);
}

describe.skipIf(!etcdInstalled)('etcd backups in Azure Blob (Azurite), end to end', () => {
  it('saves a full and a delta snapshot of a real etcd into Azure Blob and restores the same keys and revision', async () => {
    const work = await mkdtemp(join(tmpdir(), 'trellis-blob-etcd-'));
    const azurite = await startAzurite();
    const etcd = await startEtcdServer({ dataDirectory: join(work, 'source') });
    const client = createEtcdClient({ endpoints: [etcd.endpoint] });
    const provider = createAzureProvider({
      subscriptionId: SUBSCRIPTION,
      location: LOCATION,
      credentials: { token: 'unused' },
    });
    try {
      const backup = {
        container: 'etcd-backups',
        prefix: 'shoot--dev/etcd-main',
        account: { connectionString: azurite.connectionString },
        blockSize: 64 * 1024,
      };
      await ensureBlobContainer(provider, backup);
      const store = provider.backupStore(backup);
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
      await provider.close();
      await azurite.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);
});
