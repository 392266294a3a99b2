import { Storage } from '@google-cloud/storage';
import { TrellisError } from '@trellis/core';
import { backupStoreConformance, collectBytes, randomBytesSource } from '@trellis/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcpProvider, ensureGcsBucket } from '../src/index.js';
import { type GcsFake, startGcsFake } from '../src/testing/index.js';
import { startGcsFakeProcess } from './gcs-fake-process.js';

delete process.env.STORAGE_EMULATOR_HOST;

const snapshot = (lastRevision: number) =>
  ({
    kind: 'Full',
    startRevision: 0,
    lastRevision,
    createdOn: new Date(1_790_000_000_000 + lastRevision * 1000),
    compressionSuffix: '.gz',
  }) as const;

async function gcsSubject(bucket: string, chunkSize?: number) {
  const fake = await startGcsFake();
  await new Storage({ apiEndpoint: fake.url, projectId: 'trellis-test' }).createBucket(bucket);
  const provider = createGcpProvider({
    project: 'trellis-test',
    region: 'europe-west1',
    credentials: 'none',
    endpoints: { storage: fake.url },
  });
  return {
    fake,
    provider,
    store: provider.backupStore({ bucket, prefix: 'etcd/main', ...(chunkSize ? { chunkSize } : {}) }),
  };
}

backupStoreConformance({
  name: 'GCS backup store against the offline GCS fake (in a child process)',
  setup: async () => {
    const fake = await startGcsFakeProcess();
    await new Storage({ apiEndpoint: fake.url, projectId: 'trellis-test' }).createBucket('conformance');
    const provider = createGcpProvider({
      project: 'trellis-test',
      region: 'europe-west1',
      credentials: 'none',
      endpoints: { storage: fake.url },
    });
    return {
      store: provider.backupStore({ bucket: 'conformance', prefix: 'etcd/main' }),
      cleanup: async () => {
        await provider.close();
        await fake.close();
      },
    };
  },
  largeSize: 16 * 1024 * 1024,
  boundedMemorySize: 128 * 1024 * 1024,
});

describe('GCS backup store', () => {
  let fake: GcsFake;
  let subject: Awaited<ReturnType<typeof gcsSubject>>;
  beforeAll(async () => {
    subject = await gcsSubject('details', 256 * 1024);
    fake = subject.fake;
  });
  afterAll(async () => {
    await subject?.provider.close();
    await fake?.close();
  });

  it("uploads in resumable chunks under etcd-backup-restore's layout and lists the object's CRC32C", async () => {
    const stored = await subject.store.save(snapshot(1), randomBytesSource(1024 * 1024 + 7, { seed: 1 }));
    expect(stored.key).toBe('etcd/main/v2/Full-00000000-00000001-1790000001.gz');
    expect(stored.checksum).toMatch(/^crc32c:[A-Za-z0-9+/]{6}==$/);
    expect(fake.calls.count('storage.objects.upload')).toBeGreaterThanOrEqual(4);
    expect(fake.objectNames('details')).toEqual([stored.key]);
    await subject.store.delete(snapshot(1));
  });

  it('errors the fetched stream when the stored bytes do not match their CRC32C', async () => {
    const stored = await subject.store.save(snapshot(2), randomBytesSource(300_000, { seed: 2 }));
    fake.corrupt('details', stored.key);
    const error = await collectBytes(await subject.store.fetch(snapshot(2))).catch(
      (caught: unknown) => caught,
    );
    expect(TrellisError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/did not match|mismatch/i);
    await subject.store.delete(snapshot(2));
  });

  it('lists past one page of 1,000 objects', async () => {
    const store = subject.provider.backupStore({ bucket: 'details', prefix: 'many' });
    for (let start = 0; start < 1005; start += 67) {
      await Promise.all(
        Array.from({ length: Math.min(67, 1005 - start) }, (_, offset) =>
          store.save(
            { ...snapshot(10_000 + start + offset), compressionSuffix: '' },
            randomBytesSource(1, { seed: start + offset }),
          ),
        ),
      );
    }
    const listed = await store.list();
    expect(listed).toHaveLength(1005);
    expect(fake.calls.count('storage.objects.list')).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

describe('ensureGcsBucket', () => {
  it('creates the bucket with uniform access, public access prevention and lifecycle rules, and patches an existing one', async () => {
    const fake = await startGcsFake();
    const provider = createGcpProvider({
      project: 'trellis-test',
      region: 'europe-west1',
      credentials: 'none',
      endpoints: { storage: fake.url },
    });
    try {
      const storage = new Storage({ apiEndpoint: fake.url, projectId: 'trellis-test' });
      expect(
        await ensureGcsBucket(provider.context.clients.options, 'ensured', {
          location: 'EUROPE-WEST1',
          deleteAfterDays: 30,
        }),
      ).toEqual({
        created: true,
      });
      const [metadata] = await storage.bucket('ensured').getMetadata();
      expect(metadata).toMatchObject({
        location: 'EUROPE-WEST1',
        iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
      });
      expect(metadata.lifecycle?.rule?.map((rule) => rule.action.type)).toEqual([
        'AbortIncompleteMultipartUpload',
        'Delete',
      ]);
      await storage.createBucket('existing');
      expect(await ensureGcsBucket(storage, 'existing')).toEqual({ created: false });
      const [patched] = await storage.bucket('existing').getMetadata();
      expect(patched.iamConfiguration?.publicAccessPrevention).toBe('enforced');
    } finally {
      await provider.close();
      await fake.close();
    }
  });
});
