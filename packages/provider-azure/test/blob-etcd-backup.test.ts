import { checkEtcdRoundTrip, etcdAvailable } from '@trellis/etcd-backup/testing';
import { describe, expect, it } from 'vitest';
import { createAzureProvider, ensureBlobContainer } from '../src/index.js';
import { startAzurite } from '../src/testing/index.js';
import { LOCATION, SUBSCRIPTION } from './azure-machine-harness.js';

describe.skipIf(!etcdAvailable('the Blob + etcd-backup test'))(
  'etcd backups in Azure Blob (Azurite), end to end',
  () => {
    it('saves a full and a delta snapshot of a real etcd into Azure Blob and restores the same keys and revision', async () => {
      const azurite = await startAzurite();
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
        expect(await checkEtcdRoundTrip(provider.backupStore(backup))).toMatchObject({
          keys: 200,
          snapshots: ['Full', 'Incr'],
        });
      } finally {
        await provider.close();
        await azurite.close();
      }
    }, 120_000);
  },
);
