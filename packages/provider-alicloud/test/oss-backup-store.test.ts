import { TrellisError } from '@trellis/core';
import { backupStoreConformance, collectBytes, randomBytesSource } from '@trellis/testkit';
import OSS from 'ali-oss';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAlicloudProvider,
  createOssBackupStore,
  ensureAlicloudBackupBucket,
  ensureOssBucket,
  OSS_ABORT_UPLOADS_RULE_ID,
  type OssClient,
} from '../src/index.js';
import { FAKE_ACCESS_KEY, type OssFake, startOssFake } from '../src/testing/index.js';

const BUCKET = 'etcd-backups';
const snapshot = (lastRevision: number) =>
  ({
    kind: 'Full',
    startRevision: 0,
    lastRevision,
    createdOn: new Date(1_790_000_000_000 + lastRevision * 1000),
    compressionSuffix: '.gz',
  }) as const;

/** An ali-oss client on the fake, the way a user points it at an endpoint. */
const ossClient = (fake: OssFake, secret: string = FAKE_ACCESS_KEY.accessKeySecret) =>
  new OSS({
    accessKeyId: FAKE_ACCESS_KEY.accessKeyId,
    accessKeySecret: secret,
    bucket: BUCKET,
    region: 'oss-eu-central-1',
    endpoint: fake.url,
  });

async function storeOn(fake: OssFake, options: { partSize?: number } = {}) {
  const client = ossClient(fake);
  await ensureOssBucket(client as never, BUCKET);
  return createOssBackupStore({ client: client as unknown as OssClient, prefix: 'etcd/main', ...options });
}

backupStoreConformance({
  name: 'OSS backup store against the offline OSS fake (ali-oss, V1 signatures)',
  setup: async () => {
    const fake = await startOssFake();
    return { store: await storeOn(fake, { partSize: 1024 * 1024 }), cleanup: () => fake.close() };
  },
  largeSize: 8 * 1024 * 1024,
  boundedMemorySize: 64 * 1024 * 1024,
});

backupStoreConformance({
  name: 'OSS backup store against the fake failing 20% of calls (503 throttling, 500)',
  setup: async () => {
    const fake = await startOssFake();
    const store = await storeOn(fake, { partSize: 1024 * 1024 });
    fake.faults.add({ kind: 'throttle', rate: 0.1 });
    fake.faults.add({ kind: 'server-error', rate: 0.1, status: 500 });
    return { store, cleanup: () => fake.close() };
  },
  largeSize: 8 * 1024 * 1024,
  boundedMemorySize: 64 * 1024 * 1024,
});

const live = process.env.TRELLIS_ALICLOUD_LIVE === '1';
const liveRegion = process.env.TRELLIS_ALICLOUD_REGION ?? '';
const liveBucket = process.env.TRELLIS_ALICLOUD_BUCKET ?? '';
describe.skipIf(!live || !liveRegion || !liveBucket)(
  'live Alibaba Cloud (set TRELLIS_ALICLOUD_LIVE=1, TRELLIS_ALICLOUD_REGION, TRELLIS_ALICLOUD_BUCKET and ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET to run; writes under trellis-conformance/ in the bucket)',
  () => {
    backupStoreConformance({
      name: `OSS backup store against real OSS (${liveRegion}, bucket ${liveBucket})`,
      setup: async () => {
        const provider = createAlicloudProvider({ region: liveRegion });
        await ensureAlicloudBackupBucket(provider.context, liveBucket);
        return {
          store: provider.backupStore({ bucket: liveBucket, prefix: `trellis-conformance/${Date.now()}` }),
        };
      },
      largeSize: 32 * 1024 * 1024,
      boundedMemorySize: 128 * 1024 * 1024,
    });
  },
);

describe('the OSS backup store', () => {
  let fake: OssFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('makes the bucket private, encrypted, with the rule aborting incomplete uploads; again is fine', async () => {
    fake = await startOssFake();
    const client = ossClient(fake);
    expect(await ensureOssBucket(client as never, BUCKET)).toEqual({ created: true });
    expect(await ensureOssBucket(client as never, BUCKET)).toEqual({ created: false });
    const config = fake.bucketConfig(BUCKET);
    expect(config.acl).toBe('private');
    expect(config.encryption).toContain('AES256');
    expect(config.lifecycle).toContain(OSS_ABORT_UPLOADS_RULE_ID);
    expect(config.lifecycle).toMatch(/<AbortMultipartUpload><Days>7<\/Days><\/AbortMultipartUpload>/);
  });

  it('streams parts with their MD5, tags the SHA-256, and after a failing part aborts the upload and rejects', async () => {
    fake = await startOssFake();
    const store = await storeOn(fake, { partSize: 256 * 1024 });
    const saved = await store.save(snapshot(1), randomBytesSource(1_000_000, { seed: 3 }));
    const [stored] = [...fake.objects(BUCKET).values()];
    expect(stored?.size).toBe(1_000_000);
    expect(stored?.etag).toMatch(/-4"$/);
    expect(`sha256:${stored?.tags['trellis-sha256']}`).toBe(saved.checksum);
    expect(fake.calls.entries.filter((call) => call.action === 'PUT object?uploadId').length).toBe(4);

    fake.faults.add({ kind: 'server-error', actions: ['PUT object?uploadId'], status: 500 });
    const failure = await store
      .save(snapshot(2), randomBytesSource(1_000_000, { seed: 4 }))
      .catch((error: unknown) => error as TrellisError);
    expect(TrellisError.isInstance(failure) && failure.code).toBe('Unavailable');
    expect(fake.pendingUploads(BUCKET)).toBe(0);
    expect((await store.list()).map((listed) => listed.lastRevision)).toEqual([1]);
  });

  it('refuses a corrupted object on fetch, naming it, and a wrong secret as Unauthenticated', async () => {
    fake = await startOssFake();
    const store = await storeOn(fake);
    await store.save(snapshot(1), randomBytesSource(300_000, { seed: 5 }));
    const [key] = [...fake.objects(BUCKET).keys()];
    fake.corrupt(BUCKET, key!, 1000);
    await expect(collectBytes(await store.fetch(snapshot(1)))).rejects.toThrow(/corrupt: its SHA-256/);
    const stranger = createOssBackupStore({
      client: ossClient(fake, 'wrong') as unknown as OssClient,
      prefix: 'etcd/main',
    });
    await expect(stranger.list()).rejects.toMatchObject({ code: 'Unauthenticated' });
  });
});

describe('the OSS fake through ali-oss', () => {
  it('checks a sent Content-MD5, hides a multipart object until completed, and serves path style as an option', async () => {
    const fake = await startOssFake();
    try {
      const client = ossClient(fake);
      await client.putBucket(BUCKET);
      await expect(
        client.put('a', Buffer.from('hello'), {
          headers: { 'Content-MD5': Buffer.alloc(16).toString('base64') },
        }),
      ).rejects.toMatchObject({ code: 'InvalidDigest', status: 400 });
      const upload = await client.initMultipartUpload('big');
      const part = await client.uploadPart(
        'big',
        upload.uploadId,
        1,
        Buffer.alloc(200 * 1024, 1),
        0,
        200 * 1024,
      );
      expect((await client.listV2({ prefix: '' })).objects ?? []).toEqual([]);
      await expect(client.getStream('big')).rejects.toMatchObject({ code: 'NoSuchKey' });
      await client.completeMultipartUpload('big', upload.uploadId, [{ number: 1, etag: part.etag }]);
      expect(((await client.listV2({ prefix: '' })).objects ?? []).map((object) => object.name)).toEqual([
        'big',
      ]);
    } finally {
      await fake.close();
    }
    const pathStyle = await startOssFake({ pathStyle: true });
    try {
      const client = new OSS({
        ...FAKE_ACCESS_KEY,
        bucket: BUCKET,
        region: 'oss-eu-central-1',
        endpoint: pathStyle.url,
        sldEnable: true,
      } as never);
      await client.putBucket(BUCKET);
      await client.put('etcd/x', Buffer.from('path style'));
      expect(pathStyle.bytes(BUCKET, 'etcd/x')?.toString()).toBe('path style');
    } finally {
      await pathStyle.close();
    }
  });
});
