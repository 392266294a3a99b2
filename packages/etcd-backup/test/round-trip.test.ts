import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEtcdClient,
  currentRevision,
  restoreEtcd,
  takeDeltaSnapshot,
  takeFullSnapshot,
} from '../src/index.js';
import { readEtcdContents, readRestoredEtcdContents } from '../src/testing/index.js';
import { createDirectoryStore, type TestStore } from './directory-store.js';
import { writeKeys } from './etcd-data.js';
import { etcdInstalled, startTestEtcd, temporaryDirectory } from './etcd-fixture.js';

describe.skipIf(!etcdInstalled)('full + delta snapshots restore exactly', () => {
  let source: Awaited<ReturnType<typeof startTestEtcd>>;
  let client: Etcd3;
  let store: TestStore;
  let work: Awaited<ReturnType<typeof temporaryDirectory>>;

  beforeAll(async () => {
    source = await startTestEtcd('source');
    client = createEtcdClient({ endpoints: [source.endpoint] });
    work = await temporaryDirectory('round-trip');
    store = await createDirectoryStore(join(work.path, 'store'));
  });
  afterAll(async () => {
    client?.close();
    await source?.stop();
    await work?.remove();
  });

  it('restores 10,000 keys, overwrites, deletes and leased keys to the same keys, values, leases and revision', async () => {
    await writeKeys(client, 'key/', 10_000, (index) => `value-${index}`);
    const full = await takeFullSnapshot({ client, store });
    expect(full.name).toMatch(/^Full-00000000-\d{8}-\d+\.gz$/);
    let since = full.lastRevision;
    const deltas: string[] = [];
    const period = async () => {
      const delta = await takeDeltaSnapshot({ client, store, sinceRevision: since });
      if (delta) {
        deltas.push(delta.name);
        since = delta.lastRevision;
      }
      return delta;
    };

    // Period 1: overwrites and new keys.
    await writeKeys(client, 'key/', 500, (index) => `overwritten-${index}`);
    await writeKeys(client, 'new/', 200, (index) => `new-${index}`);
    expect((await period())?.startRevision).toBe(full.lastRevision + 1);

    // Period 2: deletes, a mixed transaction and lease-attached keys.
    for (let index = 500; index < 800; index++) await client.delete().key(`key/${index}`);
    await client.kv.txn({
      success: [
        { request_put: { key: Buffer.from('mixed/a'), value: Buffer.from('A') } },
        { request_delete_range: { key: Buffer.from('key/900') } },
      ],
    });
    const lease = client.lease(600, { autoKeepAlive: false });
    for (let index = 0; index < 50; index++) await lease.put(`leased/${index}`).value(`l-${index}`);
    const shortLease = client.lease(600, { autoKeepAlive: false });
    await shortLease.put('leased/revoked').value('gone soon');
    await period();

    // Period 3: nothing changes, so no delta is saved.
    expect(await period()).toBeUndefined();

    // Period 4: a prefix delete, a lease revoke (deletes its keys) and binary values.
    await client.delete().prefix('new/1');
    await shortLease.revoke();
    await client.put(Buffer.from([0xff, 0x00, 0x10])).value(Buffer.from([0, 1, 2, 255]));
    // Keys made and deleted within the delta, each followed by another change: before its put is
    // applied, the restore etcd lacks the key just as after its delete.
    for (let index = 0; index < 8; index++) {
      await client.put(`brief/${index}`).value('here a moment');
      await client.delete().key(`brief/${index}`);
      await client.put(`after-brief/${index}`).value('after');
    }
    await period();

    expect(deltas).toHaveLength(3);
    const expected = await readEtcdContents(client);
    expect(expected.revision).toBe(await currentRevision(client));

    const target = await temporaryDirectory('restored');
    const dataDirectory = join(target.path, 'data');
    try {
      const result = await restoreEtcd({ store, dataDirectory });
      expect(result.plan.full.name).toBe(full.name);
      expect(result.plan.deltas.map((delta) => delta.name)).toEqual(deltas);
      expect(result.revision).toBe(expected.revision);
      // Nothing is left beside the data directory (the decompressed snapshot, when it went there).
      expect(await readdir(target.path)).toEqual(['data']);

      const actual = await readRestoredEtcdContents(dataDirectory);
      expect(actual.revision).toBe(expected.revision);
      expect(actual.entries.size).toBe(expected.entries.size);
      expect(actual.entries).toEqual(expected.entries);
      // The live lease is there with its keys; the revoked one is not brought back.
      expect(actual.leases).toEqual(expected.leases);
    } finally {
      await target.remove();
      await lease.revoke();
    }
  }, 120_000);
});
