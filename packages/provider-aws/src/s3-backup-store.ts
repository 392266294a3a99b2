import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type BackupStore,
  type CallOptions,
  callSignal,
  canceled,
  formatSnapshotKey,
  formatSnapshotName,
  invalidArgument,
  type Logger,
  notFound,
  resolveSignal,
  type Snapshot,
  type SnapshotSource,
  type StoredSnapshot,
  silentLogger,
  TrellisError,
  throwIfAborted,
} from '@trellis/core';
import { awsErrorCode, toTrellisError } from './aws-errors.js';
import { AwsClients } from './aws-settings.js';
import {
  describeChecksum,
  meteredSource,
  PartDigests,
  type RecordedChecksum,
  recordedChecksum,
  verifyingStream,
} from './s3-checksum-streams.js';
import { s3Client } from './s3-client.js';
import { S3_PART_CHECKSUM_TAG } from './s3-names.js';
import { listSnapshotObjects } from './s3-snapshot-list.js';
import { uploadClient } from './s3-upload-client.js';

const MEBIBYTE = 1024 * 1024;
/** S3's smallest allowed part (all parts but the last). */
const MINIMUM_PART_SIZE = 5 * MEBIBYTE;

/** Options of {@link createS3BackupStore}. */
export interface S3BackupStoreOptions {
  /** The S3 client (region, credentials, endpoint and checksum settings are the client's). */
  client: S3Client | AwsClients;
  /** The bucket; it must exist (see `ensureBucket`). */
  bucket: string;
  /** Key prefix; snapshots live under `<prefix>/v2/` as etcd-backup-restore lays them out. */
  prefix: string;
  /** Bytes per multipart upload part; at least 5 MiB. @default 16 MiB */
  partSize?: number;
  /**
   * Parts uploaded in parallel. Memory grows with `queueSize * partSize` (about 160 MiB peak RSS
   * with the defaults, as much as a plain lib-storage upload), never with the snapshot's size.
   * @default 4
   */
  queueSize?: number;
  /**
   * Record each snapshot's composite SHA-256 as the object tag `trellis-sha256-parts` and verify it
   * on fetch. Turn off only for S3-compatible servers without object tagging: stored snapshots are
   * then checked by size alone on fetch (each part is still checked by the server as it arrives).
   * @default true
   */
  checksumTag?: boolean;
  /** @default silentLogger */
  logger?: Logger;
}

function checkOptions(options: S3BackupStoreOptions): { partSize: number; queueSize: number } {
  const { partSize = 16 * MEBIBYTE, queueSize = 4 } = options;
  const issues = [];
  if (!options.bucket) issues.push({ path: 'bucket', message: 'is required' });
  if (!Number.isSafeInteger(partSize) || partSize < MINIMUM_PART_SIZE) {
    issues.push({ path: 'partSize', message: `must be an integer of at least ${MINIMUM_PART_SIZE} (5 MiB)` });
  }
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) {
    issues.push({ path: 'queueSize', message: 'must be a positive integer' });
  }
  if (issues.length > 0)
    throw invalidArgument('invalid S3 backup store options', issues, { provider: 'aws' });
  return { partSize, queueSize };
}

/**
 * A `BackupStore` in an S3 bucket, with etcd-backup-restore's key layout (`<prefix>/v2/<name>`).
 *
 * `save` streams the snapshot through `@aws-sdk/lib-storage` (parallel parts, bounded memory)
 * straight to its final key: S3 shows a multipart object only once `CompleteMultipartUpload`
 * succeeds, so no partial snapshot is ever listed. Each byte is hashed once, as the source yields
 * it: every `partSize` block's SHA-256 signs the request that carries that part (SigV4's
 * `x-amz-content-sha256`, which S3 checks the received bytes against), and the SHA-256 of those
 * digests — S3's composite SHA-256 — is written as the object tag `trellis-sha256-parts`
 * (`<partSize>:<hex>`) once the stored size is checked against the bytes sent (metadata cannot be
 * added after the upload started without copying the whole object); if either step fails, the
 * object is deleted before `save` rejects. On a source error, a store error or an abort,
 * lib-storage aborts the multipart upload before `save` rejects; the lifecycle rule of
 * `ensureBucket` removes what a crashed process leaves. `fetch` verifies the checksum while
 * streaming (also the whole-object `trellis-sha256` of earlier releases) and errors the stream on a
 * mismatch; a snapshot without a tag (written by etcd-backup-restore, or by a process that died
 * between upload and tagging) is read unverified.
 *
 * Needs `s3:PutObject`, `s3:GetObject`, `s3:DeleteObject`, `s3:ListBucket`,
 * `s3:AbortMultipartUpload`, `s3:PutObjectTagging` and `s3:GetObjectTagging`.
 */
export function createS3BackupStore(options: S3BackupStoreOptions): BackupStore {
  const { bucket, prefix } = options;
  const client = options.client instanceof AwsClients ? s3Client(options.client) : options.client;
  const { partSize, queueSize } = checkOptions(options);
  const logger = options.logger ?? silentLogger;
  const checksumTag = options.checksumTag ?? true;

  async function deleteObject(key: string, signal?: AbortSignal): Promise<void> {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  }

  async function uploadSnapshot(key: string, data: SnapshotSource, meter: PartDigests, signal?: AbortSignal) {
    const body = Readable.from(meteredSource(data, meter, signal), { objectMode: false });
    const upload = new Upload({
      client: uploadClient(client, meter, signal),
      params: { Bucket: bucket, Key: key, Body: body },
      partSize,
      queueSize,
      leavePartsOnError: false,
    });
    try {
      // On failure, lib-storage aborts the multipart upload before done() rejects.
      await upload.done();
    } catch (error) {
      body.destroy();
      if (meter.sourceError !== undefined) {
        if (error !== meter.sourceError) {
          logger.warn({ bucket, key, error: String(error) }, 'aborting the multipart upload failed');
        }
        throw new TrellisError({
          code: 'Internal',
          provider: 'aws',
          operation: 'save',
          message: `reading the snapshot source of ${key} failed: ${String(meter.sourceError)}`,
          cause: meter.sourceError,
        });
      }
      throw toTrellisError(error, { operation: 'save', signal });
    }
  }

  async function recordChecksum(
    key: string,
    meter: PartDigests,
    composite: string,
    signal?: AbortSignal,
  ): Promise<void> {
    throwIfAborted(signal, { provider: 'aws', operation: 'save' });
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: signal,
    });
    if (head.ContentLength !== meter.bytes) {
      throw new TrellisError({
        code: 'Internal',
        provider: 'aws',
        operation: 'save',
        message: `${key} was stored with ${head.ContentLength} bytes, ${meter.bytes} were sent`,
      });
    }
    if (!meter.everyPartHandedOut()) {
      throw new TrellisError({
        code: 'Internal',
        provider: 'aws',
        operation: 'save',
        message: `${key} was not uploaded part by part as the snapshot source delivered it`,
      });
    }
    if (!checksumTag) return;
    try {
      await client.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: key,
          Tagging: { TagSet: [{ Key: S3_PART_CHECKSUM_TAG, Value: `${partSize}:${composite}` }] },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (awsErrorCode(error) !== 'NotImplemented' || signal?.aborted) throw error;
      throw new TrellisError({
        code: 'Unimplemented',
        provider: 'aws',
        operation: 'save',
        message:
          "the S3 server does not implement object tagging, where each snapshot's SHA-256 is recorded; " +
          'create the store with checksumTag: false to keep snapshots without it',
        cause: error,
      });
    }
  }

  return {
    specificationVersion: 'v1',
    provider: 'aws',

    async save(snapshot: Snapshot, data: SnapshotSource, callOptions?: CallOptions): Promise<StoredSnapshot> {
      const signal = resolveSignal(callOptions);
      const key = formatSnapshotKey(prefix, snapshot);
      const name = formatSnapshotName(snapshot);
      throwIfAborted(signal, { provider: 'aws', operation: 'save' });
      const meter = new PartDigests(partSize);
      await uploadSnapshot(key, data, meter, signal);
      const composite = meter.composite();
      try {
        await recordChecksum(key, meter, composite, signal);
      } catch (error) {
        // The object is complete but unverified: take it out of sight again.
        await deleteObject(key).catch((deleteError: unknown) =>
          logger.error(
            { bucket, key, error: String(deleteError) },
            'could not delete an unverified snapshot',
          ),
        );
        throw toTrellisError(error, { operation: 'save', signal });
      }
      logger.debug({ bucket, key, size: meter.bytes }, 'saved snapshot');
      const checksum = describeChecksum({ kind: 'sha256-parts', partSize, hex: composite });
      return { ...snapshot, key, name, size: meter.bytes, checksum };
    },

    async fetch(snapshot: Snapshot, callOptions?: CallOptions): Promise<Readable> {
      const signal = resolveSignal(callOptions);
      const key = formatSnapshotKey(prefix, snapshot);
      const name = formatSnapshotName(snapshot);
      throwIfAborted(signal, { provider: 'aws', operation: 'fetch' });
      let expected: RecordedChecksum | undefined;
      let object: GetObjectCommandOutput;
      try {
        if (checksumTag) {
          const tagging = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }), {
            abortSignal: signal,
          });
          expected = recordedChecksum(name, tagging.TagSet ?? []);
        }
        object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
          abortSignal: signal,
        });
      } catch (error) {
        const mapped = toTrellisError(error, { operation: 'fetch', signal });
        if (mapped.code !== 'NotFound' || awsErrorCode(error) === 'NoSuchBucket') throw mapped;
        throw notFound(`snapshot "${name}" does not exist in s3://${bucket}/${key}`, {
          provider: 'aws',
          operation: 'fetch',
          requestId: mapped.requestId,
          cause: error,
        });
      }
      if (!expected && checksumTag)
        logger.warn({ bucket, key }, 'snapshot has no recorded checksum; reading it unverified');
      const body = object.Body as Readable;
      const verifier = verifyingStream({
        snapshotName: name,
        expected,
        expectedSize: object.ContentLength,
      });
      const onAbort = () =>
        verifier.destroy(canceled(signal?.reason, { provider: 'aws', operation: 'fetch' }));
      signal?.addEventListener('abort', onAbort, { once: true });
      body.on('error', (error) => verifier.destroy(toTrellisError(error, { operation: 'fetch', signal })));
      verifier.on('close', () => {
        signal?.removeEventListener('abort', onAbort);
        body.destroy();
      });
      body.pipe(verifier);
      return verifier;
    },

    async list(listOptions = {}): Promise<StoredSnapshot[]> {
      const signal = callSignal(listOptions, { provider: 'aws', operation: 'list' });
      try {
        return await listSnapshotObjects({
          client,
          bucket,
          prefix,
          includeAll: listOptions.includeAll ?? false,
          signal,
        });
      } catch (error) {
        throw toTrellisError(error, { operation: 'list', signal });
      }
    },

    async delete(snapshot: Snapshot, callOptions?: CallOptions): Promise<void> {
      const signal = resolveSignal(callOptions);
      const key = formatSnapshotKey(prefix, snapshot);
      throwIfAborted(signal, { provider: 'aws', operation: 'delete' });
      try {
        await deleteObject(key, signal);
      } catch (error) {
        // S3 answers 204 for a missing key; some compatible servers answer NoSuchKey.
        if (awsErrorCode(error) === 'NoSuchKey' && !signal?.aborted) return;
        throw toTrellisError(error, { operation: 'delete', signal });
      }
    },
  };
}
