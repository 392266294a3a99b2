import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createLocalProvider } from '@trellis/provider-local';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient, restoreEtcd, takeDeltaSnapshot, takeFullSnapshot } from '../src/index.js';
import { readEtcdContents } from '../src/testing/index.js';
import { writeKeys } from './etcd-data.js';
import { etcdInstalled, startTestEtcd, temporaryDirectory } from './etcd-fixture.js';

describe.skipIf(!etcdInstalled)('snapshots in the local provider store', () => {
  let source: Awaited<ReturnType<typeof startTestEtcd>>;
  let client: Etcd3;
  let work: Awaited<ReturnType<typeof temporaryDirectory>>;

  beforeAll(async () => {
    source = await startTestEtcd('local');
    client = createEtcdClient({ endpoints: [source.endpoint] });
    work = await temporaryDirectory('local');
  });
  afterAll(async () => {
    client?.close();
    await source?.stop();
    await work?.remove();
  });

  it('writes full snapshots etcdctl snapshot status reads after gunzip, and restores from them', async () => {
    const provider = createLocalProvider({ stateDirectory: join(work.path, 'state') });
    const directory = join(work.path, 'bucket');
    const store = provider.backupStore({ directory, prefix: 'shoot--dev--a/etcd-main' });
    await writeKeys(client, 'local/', 1234, (index) => `v-${index}`);
    const full = await takeFullSnapshot({ client, store });
    expect(full.key).toBe(`shoot--dev--a/etcd-main/v2/${full.name}`);

    const database = join(work.path, 'snapshot.db');
    await writeFile(database, gunzipSync(await readFile(join(directory, full.key))));
    const status = JSON.parse(
      execFileSync('etcdctl', ['snapshot', 'status', database, '-w', 'json'], {
        env: { ...process.env, ETCDCTL_API: '3' },
      }).toString(),
    ) as { revision: number; totalKey: number };
    expect(status.revision).toBe(full.lastRevision);
    expect(status.totalKey).toBeGreaterThanOrEqual(1234); // plus etcd's own bookkeeping keys

    await client.delete().prefix('local/1');
    expect(await takeDeltaSnapshot({ client, store, sinceRevision: full.lastRevision })).toBeDefined();
    const result = await restoreEtcd({ store, dataDirectory: join(work.path, 'restored') });
    expect(result.revision).toBe((await readEtcdContents(client)).revision);
  });
});
