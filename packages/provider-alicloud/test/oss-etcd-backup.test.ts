import { checkEtcdRoundTrip, etcdAvailable } from '@trellis/etcd-backup/testing';
import OSS from 'ali-oss';
import { describe, expect, it } from 'vitest';
import { createOssBackupStore, ensureOssBucket, type OssClient } from '../src/index.js';
import { FAKE_ACCESS_KEY, startOssFake } from '../src/testing/index.js';

describe.skipIf(!etcdAvailable('the OSS + etcd-backup test'))(
  'etcd backups in OSS (the offline fake), end to end',
  () => {
    it('saves a full and a delta snapshot of a real etcd into OSS and restores the same keys and revision', async () => {
      const fake = await startOssFake();
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
        expect(await checkEtcdRoundTrip(store)).toMatchObject({ keys: 200, snapshots: ['Full', 'Incr'] });
        expect(fake.objects('etcd-backups').size).toBe(2);
        expect(fake.pendingUploads('etcd-backups')).toBe(0);
      } finally {
        await fake.close();
      }
    }, 120_000);
  },
);
