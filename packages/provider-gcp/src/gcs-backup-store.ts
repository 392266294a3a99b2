import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Bucket, Storage } from '@google-cloud/storage';
import {
  type BackupStore,
  type CallOptions,
  callSignal,
  canceled,
  compareSnapshots,
  formatSnapshotKey,
  notFound,
  type Snapshot,
  type SnapshotSource,
  type StoredSnapshot,
  TrellisError,
  throwIfAborted,
} from '@trellis/core';
import { abortableSource, paginate, snapshotListing, storedSnapshot } from '@trellis/provider-kit';
import { toTrellisError } from './gcp-errors.js';
import type { GcpClientOptions } from './gcp-settings.js';

/** Options of {@link createGcsBackupStore}. */
export interface GcsBackupStoreOptions {
  /** A `Storage` client, or the options to build one from (the provider's). */
  readonly storage: Storage | GcpClientOptions;
  readonly bucket: string;
  readonly prefix: string;
  /** Bytes per resumable upload request (memory per save). @default 8 MiB */
  readonly chunkSize?: number;
}

/** A `Storage` client from the provider's options (no token toward an emulator or fake). */
export function storageFor(options: GcpClientOptions & { storageEndpoint?: string }): Storage {
  return new Storage({
    projectId: options.projectId,
    ...(options.storageEndpoint ? { apiEndpoint: options.storageEndpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
    retryOptions: { autoRetry: true, maxRetries: 5, maxRetryDelay: 8, totalTimeout: 600 },
  });
}

/**
 * A `BackupStore` in a GCS bucket, with etcd-backup-restore's key layout (`<prefix>/v2/<name>`).
 * `save` streams through a resumable upload straight to the final name (bounded memory: one
 * chunk); GCS shows the object only once the upload is finalized, so a failed or aborted save
 * leaves nothing listed. The client checks the CRC32C GCS computed against the bytes it sent, and
 * `fetch` checks the bytes read against the object's stored CRC32C (`x-goog-hash`), erroring the
 * stream on a mismatch; the listed `checksum` is that CRC32C.
 *
 * Needs `storage.objects.create`, `.get`, `.list` and `.delete` on the bucket.
 */
export function createGcsBackupStore(options: GcsBackupStoreOptions): BackupStore {
  const storage = options.storage instanceof Storage ? options.storage : storageFor(options.storage);
  const bucket: Bucket = storage.bucket(options.bucket);
  const chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
  const described = (metadata: { name?: string; size?: string | number; crc32c?: string }) =>
    storedSnapshot(
      metadata.name ?? '',
      Number(metadata.size ?? 0),
      metadata.crc32c ? `crc32c:${metadata.crc32c}` : undefined,
    );

  return {
    specificationVersion: 'v1',
    provider: 'gcp',

    async save(snapshot: Snapshot, data: SnapshotSource, callOptions?: CallOptions) {
      const signal = callSignal(callOptions, { provider: 'gcp', operation: 'save' });
      const key = formatSnapshotKey(options.prefix, snapshot);
      const file = bucket.file(key);
      let sourceError: unknown;
      const source = Readable.from(
        (async function* () {
          try {
            yield* abortableSource(data, { signal, context: { provider: 'gcp', operation: 'save' } });
          } catch (error) {
            sourceError = error;
            throw error;
          }
        })(),
        { objectMode: false },
      );
      try {
        await pipeline(
          source,
          file.createWriteStream({
            resumable: true,
            chunkSize,
            validation: 'crc32c',
            contentType: 'application/octet-stream',
          }),
        );
      } catch (error) {
        source.destroy();
        if (signal?.aborted) throw canceled(signal.reason, { provider: 'gcp', operation: 'save' });
        if (TrellisError.isInstance(sourceError)) throw sourceError;
        if (sourceError !== undefined) {
          throw new TrellisError({
            code: 'Internal',
            provider: 'gcp',
            operation: 'save',
            message: `reading the snapshot source of ${key} failed: ${String(sourceError)}`,
            cause: sourceError,
          });
        }
        throw toTrellisError(error, { operation: 'save', signal });
      }
      try {
        const [metadata] = await file.getMetadata();
        return described(metadata);
      } catch (error) {
        throw toTrellisError(error, { operation: 'save', signal });
      }
    },

    async fetch(snapshot: Snapshot, callOptions?: CallOptions): Promise<Readable> {
      const signal = callSignal(callOptions, { provider: 'gcp', operation: 'fetch' });
      const key = formatSnapshotKey(options.prefix, snapshot);
      const file = bucket.file(key);
      try {
        await file.getMetadata();
      } catch (error) {
        const mapped = toTrellisError(error, { operation: 'fetch', signal });
        if (mapped.code === 'NotFound') {
          throw notFound(`snapshot ${key} does not exist in gs://${options.bucket}`, {
            provider: 'gcp',
            operation: 'fetch',
          });
        }
        throw mapped;
      }
      const stream = file.createReadStream({ validation: 'crc32c' });
      const output = new PassThrough();
      stream.on('error', (error) => output.destroy(toTrellisError(error, { operation: 'fetch', signal })));
      stream.pipe(output);
      if (signal) {
        const onAbort = () => {
          stream.destroy();
          output.destroy(canceled(signal.reason, { provider: 'gcp', operation: 'fetch' }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        output.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      return output;
    },

    async list(listOptions = {}) {
      const signal = callSignal(listOptions, { provider: 'gcp', operation: 'list' });
      const listing = snapshotListing(options.prefix, listOptions.includeAll);
      const snapshots: StoredSnapshot[] = [];
      try {
        const pages = paginate({
          fetchPage: async (pageToken) => {
            throwIfAborted(signal, { provider: 'gcp', operation: 'list' });
            const [files, , response] = await bucket.getFiles({
              prefix: listing.listPrefix,
              autoPaginate: false,
              maxResults: 1000,
              ...(pageToken ? { pageToken } : {}),
            });
            return {
              items: files,
              next: (response as { nextPageToken?: string } | undefined)?.nextPageToken,
            };
          },
          context: { provider: 'gcp', operation: 'list' },
        });
        for await (const file of pages) {
          if (!listing.isSnapshotKey(file.name)) continue;
          snapshots.push(described(file.metadata as { name?: string; size?: string; crc32c?: string }));
        }
      } catch (error) {
        throw toTrellisError(error, { operation: 'list', signal });
      }
      return snapshots.sort(compareSnapshots);
    },

    async delete(snapshot: Snapshot, callOptions?: CallOptions) {
      const signal = callSignal(callOptions, { provider: 'gcp', operation: 'delete' });
      try {
        await bucket.file(formatSnapshotKey(options.prefix, snapshot)).delete({ ignoreNotFound: true });
      } catch (error) {
        throw toTrellisError(error, { operation: 'delete', signal });
      }
    },
  };
}
