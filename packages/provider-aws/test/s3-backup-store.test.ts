import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { formatSnapshotKey, type Snapshot, TrellisError } from '@trellis/core';
import { backupStoreConformance, collectBytes, failingSource, randomBytesSource } from '@trellis/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsProvider } from '../src/aws-provider.js';
import { createS3BackupStore } from '../src/s3-backup-store.js';
import { ensureBucket } from '../src/s3-ensure-bucket.js';
import { S3_CHECKSUM_TAG, S3_PART_CHECKSUM_TAG } from '../src/s3-names.js';
import { type S3TestServer, startS3TestServer } from './s3-test-server.js';

const MIB = 1024 * 1024;
const ALL_SETTINGS = ['publicAccessBlock', 'encryption', 'lifecycle'] as const;

function full(start: number, last: number, createdSeconds = 1_700_000_000): Snapshot {
  return {
    kind: 'Full',
    startRevision: start,
    lastRevision: last,
    createdOn: new Date(createdSeconds * 1000),
  };
}

/** Sends requests at most `width` at a time. */
async function inBatches<T>(items: T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let index = 0; index < items.length; index += width) {
    await Promise.all(items.slice(index, index + width).map(run));
  }
}

// Small parts (S3's 5 MiB minimum), so the 64 MiB round trip and the failing sources span many parts.
backupStoreConformance({
  name: 'S3 backup store on s3rver',
  async setup() {
    const server = await startS3TestServer();
    const client = server.createClient();
    await ensureBucket(client, 'conformance', { skip: ALL_SETTINGS });
    return {
      store: createS3BackupStore({ client, bucket: 'conformance', prefix: 'etcd/main', partSize: 5 * MIB }),
      cleanup: () => server.close(),
    };
  },
});

const live = process.env.TRELLIS_AWS_LIVE === '1';
const liveBucket = process.env.TRELLIS_AWS_S3_BUCKET;
const liveRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;

describe.skipIf(!live || !liveBucket || !liveRegion)(
  'live S3 (set TRELLIS_AWS_LIVE=1, AWS_REGION, AWS credentials and TRELLIS_AWS_S3_BUCKET=<bucket to create or use> to run)',
  () => {
    backupStoreConformance({
      name: 'S3 backup store on AWS',
      async setup() {
        const provider = createAwsProvider({ region: liveRegion! });
        await ensureBucket(provider.context.clients, liveBucket!);
        return {
          store: provider.backupStore({ bucket: liveBucket!, prefix: `trellis-conformance/${randomUUID()}` }),
          cleanup: () => provider.close(),
        };
      },
      timeoutMs: 600_000,
    });
  },
);

describe('S3 backup store on s3rver', () => {
  let server: S3TestServer;
  let client: S3Client;
  const bucket = 'backups';

  beforeAll(async () => {
    server = await startS3TestServer();
    client = server.createClient();
    await ensureBucket(client, bucket, { skip: ALL_SETTINGS });
  });
  afterAll(() => server?.close());

  const openUploads = async () =>
    (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];

  it('lists more than 1000 snapshots across pages, ascending, ignoring what is not a snapshot', async () => {
    const prefix = 'paging';
    const store = createS3BackupStore({ client, bucket, prefix });
    const revisions = Array.from({ length: 1003 }, (_, index) => 1003 - index);
    const snapshots = revisions.map((revision) => full(revision, revision));
    await inBatches(snapshots, 25, (snapshot) =>
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: formatSnapshotKey(prefix, snapshot),
          Body: Buffer.alloc(snapshot.lastRevision % 7),
        }),
      ),
    );
    const strangers = [
      `${prefix}/v2/notes.txt`,
      `${prefix}/v2/nested/${'Full-00000001-00000002-1700000000'}`,
    ];
    await inBatches(strangers, 2, (key) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })),
    );

    const listed = await store.list();
    expect(listed).toHaveLength(1003);
    expect(listed.map((snapshot) => snapshot.lastRevision)).toEqual([...revisions].sort((a, b) => a - b));
    expect(listed.every((snapshot) => snapshot.size === snapshot.lastRevision % 7)).toBe(true);
    expect(listed[0]).toMatchObject({ key: 'paging/v2/Full-00000001-00000001-1700000000', kind: 'Full' });

    const everything = await store.list({ includeAll: true });
    expect(everything.map((snapshot) => snapshot.key)).toContain(strangers[1]);
    expect(everything).toHaveLength(1004);
  });

  /** The composite SHA-256 of `bytes` in `partSize` parts, computed here independently. */
  const compositeSha256 = (bytes: Buffer, partSize: number) => {
    const digests: Buffer[] = [];
    for (let offset = 0; offset < bytes.length || digests.length === 0; offset += partSize) {
      digests.push(
        createHash('sha256')
          .update(bytes.subarray(offset, offset + partSize))
          .digest(),
      );
    }
    return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
  };

  it.each([
    ['11 MiB', 11 * MIB],
    ['exactly two parts', 10 * MIB],
    ['under one part', 1000],
    ['nothing', 0],
  ])('records the composite SHA-256 of the saved bytes on the object (%s)', async (_label, size) => {
    const store = createS3BackupStore({ client, bucket, prefix: `checksum-${size}`, partSize: 5 * MIB });
    const stored = await store.save(full(1, 2), randomBytesSource(size, { seed: 7 }));
    const expected = compositeSha256(await collectBytes(randomBytesSource(size, { seed: 7 })), 5 * MIB);
    expect(stored).toMatchObject({ size, checksum: `sha256-parts-${5 * MIB}:${expected}` });
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: stored.key }));
    expect(tags.TagSet).toEqual([{ Key: S3_PART_CHECKSUM_TAG, Value: `${5 * MIB}:${expected}` }]);
    expect((await collectBytes(await store.fetch(full(1, 2)))).length).toBe(size);
  });

  it('the test server refuses a body that does not match its signed SHA-256, as S3 does', async () => {
    const put = new PutObjectCommand({
      Bucket: bucket,
      Key: 'mismatch',
      Body: Buffer.from('the bytes sent'),
    });
    put.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-amz-content-sha256'] = createHash('sha256').update('other bytes').digest('hex');
        return next(args);
      },
      { step: 'build' },
    );
    await expect(client.send(put)).rejects.toMatchObject({ name: 'XAmzContentSHA256Mismatch' });
  });

  it('a source that changes its bytes after yielding them is refused part by part, and nothing is stored', async () => {
    // Parts are signed with the SHA-256 the source's bytes had when yielded; lib-storage sends the
    // buffers it kept, which this source overwrites: the server refuses them instead of storing them.
    const store = createS3BackupStore({ client, bucket, prefix: 'reused', partSize: 5 * MIB, queueSize: 2 });
    async function* reusingSource() {
      const buffer = Buffer.alloc(MIB);
      for (let index = 0; index < 12; index++) {
        buffer.fill(index);
        yield buffer;
      }
    }
    await expect(store.save(full(1, 3), reusingSource())).rejects.toSatisfy(
      (error) => TrellisError.isInstance(error) && error.operation === 'save',
    );
    expect(await openUploads()).toEqual([]);
    expect(await store.list({ includeAll: true })).toEqual([]);
  });

  it('verifies a snapshot by the whole-object SHA-256 tag earlier releases wrote', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'earlier' });
    const snapshot = full(4, 75);
    const key = formatSnapshotKey('earlier', snapshot);
    const bytes = await collectBytes(randomBytesSource(3 * MIB, { seed: 5 }));
    const tagged = async (body: Buffer) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await client.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: key,
          Tagging: { TagSet: [{ Key: S3_CHECKSUM_TAG, Value: sha256 }] },
        }),
      );
    };
    await tagged(bytes);
    expect((await collectBytes(await store.fetch(snapshot))).equals(bytes)).toBe(true);

    const tampered = Buffer.from(bytes);
    tampered[MIB] = (tampered[MIB] ?? 0) ^ 0x01;
    await tagged(tampered);
    await expect(collectBytes(await store.fetch(snapshot))).rejects.toSatisfy(
      (error) => TrellisError.isInstance(error) && /is corrupt: checksum is sha256:/.test(error.message),
    );
  });

  it('refuses to read a snapshot whose checksum tag is malformed, naming it', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'malformed' });
    const snapshot = full(6, 85);
    const key = formatSnapshotKey('malformed', snapshot);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'etcd bytes' }));
    await client.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: key,
        Tagging: { TagSet: [{ Key: S3_PART_CHECKSUM_TAG, Value: 'not-a-checksum' }] },
      }),
    );
    await expect(store.fetch(snapshot)).rejects.toSatisfy(
      (error) =>
        TrellisError.hasCode(error, 'Internal') &&
        error.message.includes('Full-00000006-00000085') &&
        error.message.includes('malformed checksum tag'),
    );
  });

  it('saves from a Node Readable and from a web ReadableStream', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'sources', partSize: 5 * MIB });
    const size = 7 * MIB + 3;
    const expected = await collectBytes(randomBytesSource(size, { seed: 11 }));
    const sources = [
      Readable.from(randomBytesSource(size, { seed: 11 })),
      ReadableStream.from(randomBytesSource(size, { seed: 11 })),
    ];
    for (const [index, source] of sources.entries()) {
      const snapshot = full(10, 20 + index);
      expect((await store.save(snapshot, source)).size).toBe(size);
      expect((await collectBytes(await store.fetch(snapshot))).equals(expected)).toBe(true);
    }
  });

  it('an abort while fetching errors the stream with Canceled', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'fetch-abort', partSize: 5 * MIB });
    const snapshot = full(1, 30);
    await store.save(snapshot, randomBytesSource(24 * MIB));
    const controller = new AbortController();
    const stream = await store.fetch(snapshot, { signal: controller.signal });
    let received = 0;
    const reading = (async () => {
      for await (const chunk of stream) {
        received += (chunk as Buffer).length;
        if (received >= MIB) controller.abort();
      }
    })();
    await expect(reading).rejects.toSatisfy((error) => TrellisError.hasCode(error, 'Canceled'));
    expect(received).toBeLessThan(24 * MIB);
  });

  it('is what createAwsProvider(settings).backupStore(config) returns', async () => {
    const provider = createAwsProvider({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      s3: {
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
    });
    try {
      const store = provider.backupStore({ bucket, prefix: 'provider' });
      const stored = await store.save(full(1, 40), randomBytesSource(100));
      expect(stored.key).toBe('provider/v2/Full-00000001-00000040-1700000000');
      expect((await store.list()).map((snapshot) => snapshot.key)).toEqual([stored.key]);
    } finally {
      await provider.close?.();
    }
  });

  it('with checksumTag: false, saves and fetches without tagging the object', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'untagged', checksumTag: false });
    const snapshot = full(2, 90);
    const stored = await store.save(snapshot, randomBytesSource(1000, { seed: 2 }));
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: stored.key }));
    expect(tags.TagSet ?? []).toEqual([]);
    const fetched = await collectBytes(await store.fetch(snapshot));
    expect(fetched.equals(await collectBytes(randomBytesSource(1000, { seed: 2 })))).toBe(true);
  });

  it('the test server shows open multipart uploads (so the checks below can fail)', async () => {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'probe' }),
    );
    expect((await openUploads()).map((upload) => upload.UploadId)).toContain(UploadId);
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'probe', UploadId }));
    expect(await openUploads()).toEqual([]);
  });

  it('a source failing after several parts leaves no multipart upload and nothing listed', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'failing', partSize: 5 * MIB, queueSize: 2 });
    const failure = new Error('disk read failed');
    const saving = store.save(full(1, 50), failingSource(40 * MIB, 23 * MIB, failure));
    await expect(saving).rejects.toSatisfy(
      (error) => TrellisError.isInstance(error) && error.cause === failure && error.operation === 'save',
    );
    expect(await openUploads()).toEqual([]);
    expect(await store.list({ includeAll: true })).toEqual([]);
  });

  it('a part the store refuses leaves no multipart upload and nothing listed', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'refused', partSize: 5 * MIB, queueSize: 2 });
    server.failNextUploadPart(3);
    await expect(store.save(full(1, 55), randomBytesSource(30 * MIB))).rejects.toSatisfy(
      (error) => TrellisError.hasCode(error, 'PermissionDenied') && error.operation === 'save',
    );
    expect(await openUploads()).toEqual([]);
    expect(await store.list({ includeAll: true })).toEqual([]);
  });

  it('an abort between parts leaves no multipart upload and nothing listed', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'aborting', partSize: 5 * MIB });
    const controller = new AbortController();
    async function* source() {
      let sent = 0;
      for await (const chunk of randomBytesSource(64 * MIB)) {
        yield chunk;
        sent += chunk.length;
        if (sent === 17 * MIB) controller.abort();
      }
    }
    await expect(store.save(full(1, 60), source(), { signal: controller.signal })).rejects.toSatisfy(
      (error) => TrellisError.hasCode(error, 'Canceled'),
    );
    expect(await openUploads()).toEqual([]);
    expect(await store.list({ includeAll: true })).toEqual([]);
  });

  it('detects a tampered object on fetch and names the snapshot', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'tampered', partSize: 5 * MIB });
    const snapshot = full(3, 70);
    const stored = await store.save(snapshot, randomBytesSource(6 * MIB, { seed: 3 }));
    const bytes = await collectBytes(randomBytesSource(6 * MIB, { seed: 3 }));
    bytes[4 * MIB] = (bytes[4 * MIB] ?? 0) ^ 0xff;
    // Overwrite the bytes, keeping the recorded checksum (real S3 drops tags on overwrite; rot does not).
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: stored.key }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: stored.key, Body: bytes }));
    await client.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: stored.key,
        Tagging: { TagSet: tags.TagSet ?? [] },
      }),
    );

    const stream = await store.fetch(snapshot);
    const reading = collectBytes(stream);
    await expect(reading).rejects.toSatisfy(
      (error) =>
        TrellisError.isInstance(error) && error.operation === 'fetch' && error.message.includes(stored.name),
    );
  });

  it('fetches a snapshot another tool wrote without a checksum, unverified', async () => {
    const store = createS3BackupStore({ client, bucket, prefix: 'foreign' });
    const snapshot = full(5, 80);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: formatSnapshotKey('foreign', snapshot),
        Body: 'etcd bytes',
      }),
    );
    expect((await collectBytes(await store.fetch(snapshot))).toString()).toBe('etcd bytes');
  });

  it('ensureBucket is idempotent', async () => {
    const name = `ensured-${Date.now()}`;
    expect(await ensureBucket(client, name, { skip: ALL_SETTINGS })).toEqual({
      created: true,
      configured: [],
    });
    expect(await ensureBucket(client, name, { skip: ALL_SETTINGS })).toEqual({
      created: false,
      configured: [],
    });
  });

  it('ensureBucket rejects with Unimplemented naming each setting s3rver lacks, unless skipped', async () => {
    const name = `unimplemented-${Date.now()}`;
    for (const [index, setting] of ALL_SETTINGS.entries()) {
      const attempt = ensureBucket(client, name, { skip: ALL_SETTINGS.slice(0, index) });
      await expect(attempt).rejects.toSatisfy(
        (error) =>
          TrellisError.hasCode(error, 'Unimplemented') && error.message.includes(`skip: ['${setting}']`),
      );
    }
    // The bucket was created by the first attempt, before the settings.
    expect(await ensureBucket(client, name, { skip: ALL_SETTINGS })).toMatchObject({ created: false });
  });
});
