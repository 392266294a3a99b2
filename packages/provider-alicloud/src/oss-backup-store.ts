import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import {
  type BackupStore,
  type CallOptions,
  callSignal,
  canceled,
  compareSnapshots,
  formatSnapshotKey,
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
import {
  abortableSource,
  CloudApi,
  fixedSizeChunks,
  RateLimiter,
  snapshotListing,
  storedSnapshot,
} from '@trellis/provider-kit';
import { ossToTrellisError } from './oss-errors.js';

/** The calls of `ali-oss` the store makes (an `OSS` client with its bucket set). */
export interface OssClient {
  initMultipartUpload(name: string, options?: object): Promise<{ uploadId: string }>;
  uploadPart(
    name: string,
    uploadId: string,
    partNo: number,
    file: Buffer,
    start: number,
    end: number,
    options?: { headers?: Record<string, string>; timeout?: number },
  ): Promise<{ etag: string }>;
  completeMultipartUpload(
    name: string,
    uploadId: string,
    parts: Array<{ number: number; etag: string }>,
    options?: object,
  ): Promise<unknown>;
  abortMultipartUpload(name: string, uploadId: string, options?: object): Promise<unknown>;
  putObjectTagging(name: string, tag: Record<string, string>, options?: object): Promise<unknown>;
  getObjectTagging(name: string, options?: object): Promise<{ tag: Record<string, string> }>;
  getStream(name: string, options?: object): Promise<{ stream: Readable }>;
  listV2(
    query: Record<string, string | number>,
    options?: object,
  ): Promise<{
    objects?: Array<{ name: string; size: number }> | null;
    isTruncated: boolean;
    nextContinuationToken?: string | null;
  }>;
  delete(name: string, options?: object): Promise<unknown>;
}

/** The object tag holding a snapshot's SHA-256. */
export const OSS_CHECKSUM_TAG = 'trellis-sha256';
/** OSS's smallest part (all but the last). */
export const OSS_MIN_PART_SIZE = 100 * 1024;

/** Options of {@link createOssBackupStore}. */
export interface OssBackupStoreOptions {
  /** An `ali-oss` client whose `bucket` is the backup bucket. */
  readonly client: OssClient;
  readonly prefix: string;
  /** Bytes per part (at least 100 KiB). @default 8 MiB */
  readonly partSize?: number;
  /** Parts uploaded at once; memory is about `partSize` × (`parallel` + 1). @default 4 */
  readonly parallel?: number;
  /** Attempts per request. @default 5 */
  readonly maxAttempts?: number;
  readonly logger?: Logger;
}

/**
 * A `BackupStore` in an OSS bucket with etcd-backup-restore's layout (`<prefix>/v2/<name>`), fixing
 * what its OSS store gets wrong: `save` streams the snapshot into a multipart upload part by part
 * (memory: `partSize` × (`parallel` + 1), no temporary file), each part with its `Content-MD5`, which
 * OSS checks; the upload stays invisible until `CompleteMultipartUpload`; a failure of the source,
 * of a part or of the completion aborts the upload **and rejects** (etcd-backup-restore returns
 * success when the abort works). After completion the whole snapshot's SHA-256 is written as the
 * object tag `trellis-sha256` (metadata would have to be known when the upload starts); should that
 * fail, the object is deleted again. `fetch` verifies the SHA-256 while streaming and errors the
 * stream on a mismatch. Throttling and 5xx answers are retried per request; a completion whose
 * answer was lost and whose retry finds the upload gone counts when the object is there.
 */
export function createOssBackupStore(options: OssBackupStoreOptions): BackupStore {
  const { client, prefix } = options;
  const partSize = options.partSize ?? 8 * 1024 * 1024;
  const parallel = options.parallel ?? 4;
  const issues = [
    ...(Number.isSafeInteger(partSize) && partSize >= OSS_MIN_PART_SIZE
      ? []
      : [{ path: 'partSize', message: `must be an integer of at least ${OSS_MIN_PART_SIZE} (100 KiB)` }]),
    ...(Number.isSafeInteger(parallel) && parallel >= 1
      ? []
      : [{ path: 'parallel', message: 'must be a positive integer' }]),
  ];
  if (issues.length > 0)
    throw invalidArgument('invalid OSS backup store options', issues, { provider: 'alicloud' });
  const logger = options.logger ?? silentLogger;
  const api = new CloudApi<string>({
    provider: 'alicloud',
    limiter: new RateLimiter<string>({ defaults: {}, classify: () => [] }),
    toError: ossToTrellisError,
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: 50,
    logger,
  });

  async function save(
    snapshot: Snapshot,
    data: SnapshotSource,
    callOptions?: CallOptions,
  ): Promise<StoredSnapshot> {
    const signal = resolveSignal(callOptions);
    const context = { provider: 'alicloud', operation: 'save' };
    throwIfAborted(signal, context);
    const key = formatSnapshotKey(prefix, snapshot);
    const call = <T>(action: string, run: () => Promise<T>) =>
      api.call(action, run, { operation: 'save', signal });
    // Retried freely: an upload started by a lost answer stays invisible, and the bucket's lifecycle
    // rule removes it.
    const { uploadId } = await call('InitiateMultipartUpload', () => client.initMultipartUpload(key));
    const whole = createHash('sha256');
    const parts: Array<{ number: number; etag: string }> = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let size = 0;
    try {
      let number = 0;
      for await (const part of fixedSizeChunks(abortableSource(data, { signal, context }), partSize)) {
        if (failure) break;
        number += 1;
        const partNumber = number;
        whole.update(part);
        size += part.length;
        const md5 = createHash('md5').update(part).digest('base64');
        const sent = call('UploadPart', () =>
          client.uploadPart(key, uploadId, partNumber, part, 0, part.length, {
            headers: { 'Content-MD5': md5 },
          }),
        ).then(
          (result) => {
            parts.push({ number: partNumber, etag: result.etag });
          },
          (error: unknown) => {
            failure ??= error;
          },
        );
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
        if (inFlight.size >= parallel) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (failure) throw failure;
      if (parts.length === 0) {
        // An empty snapshot: OSS completes no upload without parts; one empty part is the object.
        const result = await call('UploadPart', () =>
          client.uploadPart(key, uploadId, 1, Buffer.alloc(0), 0, 0),
        );
        parts.push({ number: 1, etag: result.etag });
      }
      parts.sort((first, second) => first.number - second.number);
      let attempts = 0;
      await call('CompleteMultipartUpload', async () => {
        attempts += 1;
        try {
          return await client.completeMultipartUpload(key, uploadId, parts);
        } catch (error) {
          // An earlier attempt completed and only its answer was lost: the upload is gone, the object there.
          const gone = (error as { code?: unknown }).code === 'NoSuchUpload';
          if (
            gone &&
            attempts > 1 &&
            (await client.getObjectTagging(key).then(
              () => true,
              () => false,
            ))
          )
            return undefined;
          throw error;
        }
      });
    } catch (error) {
      await Promise.allSettled(inFlight);
      // Never leave the parts behind, and never report success: the caller must see the failure.
      await client
        .abortMultipartUpload(key, uploadId)
        .catch((abortError: unknown) =>
          logger.warn(
            { key, error: String(abortError) },
            'aborting the multipart upload failed (the lifecycle rule removes it)',
          ),
        );
      if (signal?.aborted) throw canceled(signal.reason, context);
      throw TrellisError.isInstance(error) ? error : ossToTrellisError(error, { ...context, signal });
    }
    const digest = whole.digest('hex');
    try {
      await call('PutObjectTagging', () => client.putObjectTagging(key, { [OSS_CHECKSUM_TAG]: digest }));
    } catch (error) {
      await client
        .delete(key)
        .catch((deleteError: unknown) =>
          logger.error({ key, error: String(deleteError) }, 'could not delete an unverified snapshot'),
        );
      throw error;
    }
    return storedSnapshot(key, size, `sha256:${digest}`);
  }

  async function fetch(snapshot: Snapshot, callOptions?: CallOptions): Promise<Readable> {
    const signal = callSignal(callOptions, { provider: 'alicloud', operation: 'fetch' });
    const key = formatSnapshotKey(prefix, snapshot);
    const call = <T>(action: string, run: () => Promise<T>) =>
      api.call(action, run, { operation: 'fetch', signal });
    let expected: string | undefined;
    try {
      expected = (await call('GetObjectTagging', () => client.getObjectTagging(key))).tag?.[OSS_CHECKSUM_TAG];
    } catch (error) {
      if (TrellisError.hasCode(error, 'NotFound'))
        throw notFound(`snapshot ${key} does not exist`, { provider: 'alicloud', operation: 'fetch' });
      throw error;
    }
    const { stream } = await call('GetObject', () => client.getStream(key));
    const digest = createHash('sha256');
    const output = new PassThrough({
      transform(chunk: Buffer, _encoding, callback) {
        digest.update(chunk);
        callback(null, chunk);
      },
      flush(callback) {
        const actual = digest.digest('hex');
        if (expected && actual !== expected)
          callback(
            new TrellisError({
              code: 'Internal',
              provider: 'alicloud',
              operation: 'fetch',
              message: `snapshot ${key} is corrupt: its SHA-256 is ${actual}, the stored one ${expected}`,
            }),
          );
        else callback();
      },
    });
    stream.on('error', (error: unknown) =>
      output.destroy(ossToTrellisError(error, { provider: 'alicloud', operation: 'fetch', signal })),
    );
    const onAbort = () =>
      output.destroy(canceled(signal?.reason, { provider: 'alicloud', operation: 'fetch' }));
    signal?.addEventListener('abort', onAbort, { once: true });
    // A long-lived signal (a process's shutdown signal) must not keep a listener per fetch.
    output.once('close', () => signal?.removeEventListener('abort', onAbort));
    stream.pipe(output);
    return output;
  }

  async function list(listOptions: { includeAll?: boolean } & CallOptions = {}): Promise<StoredSnapshot[]> {
    const signal = callSignal(listOptions, { provider: 'alicloud', operation: 'list' });
    const listing = snapshotListing(prefix, listOptions.includeAll);
    const snapshots: StoredSnapshot[] = [];
    let continuationToken: string | undefined;
    do {
      const query: Record<string, string | number> = {
        prefix: listing.listPrefix,
        'max-keys': 1000,
        ...(continuationToken ? { 'continuation-token': continuationToken } : {}),
      };
      const page = await api.call('ListObjectsV2', () => client.listV2(query), { operation: 'list', signal });
      for (const object of page.objects ?? []) {
        if (listing.isSnapshotKey(object.name))
          snapshots.push(storedSnapshot(object.name, Number(object.size)));
      }
      continuationToken = page.isTruncated ? (page.nextContinuationToken ?? undefined) : undefined;
    } while (continuationToken);
    return snapshots.sort(compareSnapshots);
  }

  async function remove(snapshot: Snapshot, callOptions?: CallOptions): Promise<void> {
    const signal = callSignal(callOptions, { provider: 'alicloud', operation: 'delete' });
    const key = formatSnapshotKey(prefix, snapshot);
    try {
      await api.call('DeleteObject', () => client.delete(key), { operation: 'delete', signal });
    } catch (error) {
      if (!TrellisError.hasCode(error, 'NotFound')) throw error;
    }
  }

  return { specificationVersion: 'v1', provider: 'alicloud', save, fetch, list, delete: remove };
}
