import { Storage } from '@google-cloud/storage';
import { checkEtcdRoundTrip, etcdAvailable } from '@trellis/etcd-backup/testing';
import { describe, expect, it } from 'vitest';
import { createGcpProvider } from '../src/index.js';
import { startGcsFake } from '../src/testing/index.js';

describe.skipIf(!etcdAvailable('the GCS + etcd-backup test'))('etcd backups in GCS, end to end', () => {
  it('saves a full and a delta snapshot of a real etcd into GCS and restores the same keys and revision', async () => {
    const fake = await startGcsFake();
    const provider = createGcpProvider({
      project: 'trellis-test',
      region: 'europe-west1',
      credentials: 'none',
      endpoints: { storage: fake.url },
    });
    try {
      await new Storage({ apiEndpoint: fake.url, projectId: 'trellis-test' }).createBucket('etcd-backups');
      const store = provider.backupStore({ bucket: 'etcd-backups', prefix: 'shoot--dev/etcd-main' });
      expect(await checkEtcdRoundTrip(store)).toMatchObject({ keys: 200, snapshots: ['Full', 'Incr'] });
    } finally {
      await provider.close();
      await fake.close();
    }
  }, 120_000);
});
