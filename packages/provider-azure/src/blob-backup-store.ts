import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import {
  type BackupStore,
  type CallOptions,
  callSignal,
  canceled,
  compareSnapshots,
  formatSnapshotKey,
  notFound,
  resolveSignal,
  type Snapshot,
  type SnapshotSource,
  type StoredSnapshot,
  TrellisError,
  throwIfAborted,
} from '@trellis/core';
import { abortableSource, fixedSizeChunks, snapshotListing, storedSnapshot } from '@trellis/provider-kit';
import { toTrellisError } from './azure-errors.js';

/** Options of {@link createBlobBackupStore}. */
export interface BlobBackupStoreOptions {
  /** A container client, or how to reach the account. */
  readonly container:
    | ContainerClient
    | { connectionString: string; name: string }
    | { url: string; name: string; credential: TokenCredential };
  readonly prefix: string;
  /** @default 8 MiB */
  readonly blockSize?: number;
  /** @default 4 */
  readonly concurrency?: number;
  /** Retries of each storage request, for a client built from a connection string or URL. */
  readonly retry?: { readonly maxTries: number; readonly retryDelayMs: number };
}

/** The container client of the options. */
export function containerClientOf(
  options: BlobBackupStoreOptions['container'],
  retry?: BlobBackupStoreOptions['retry'],
): ContainerClient {
  if ('getBlockBlobClient' in options) return options;
  const pipeline = retry
    ? {
        retryOptions: {
          maxTries: retry.maxTries,
          retryDelayInMs: retry.retryDelayMs,
          maxRetryDelayInMs: Math.max(retry.retryDelayMs, 60_000),
        },
      }
    : {};
  const service =
    'connectionString' in options
      ? BlobServiceClient.fromConnectionString(options.connectionString, pipeline)
      : new BlobServiceClient(options.url, options.credential, pipeline);
  return service.getContainerClient(options.name);
}

/** The blob metadata key of the whole snapshot's MD5 (base64), written at commit. */
const DIGEST_METADATA = 'trellismd5';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest();

/**
 * A `BackupStore` in an Azure Blob container, with etcd-backup-restore's layout
 * (`<prefix>/v2/<name>`), better than etcd-backup-restore's ABS store: `save` stages blocks straight
 * from the stream (memory: `blockSize` × (`concurrency` + 1)) each with its MD5, which the service
 * verifies (`Md5Mismatch`), and commits the block list with the whole snapshot's MD5 as the blob's
 * `Content-MD5` and in its metadata (`trellismd5`); staged blocks stay invisible until that commit, so a failed or aborted save leaves
 * nothing listed. `fetch` checks the bytes read against that MD5 and errors the stream on a
 * mismatch. The listed `checksum` is `md5:<base64>`.
 *
 * Needs read, write, list and delete on the container (`Storage Blob Data Contributor`).
 */
export function createBlobBackupStore(options: BlobBackupStoreOptions): BackupStore {
  const container = containerClientOf(options.container, options.retry);
  const blockSize = options.blockSize ?? 8 * 1024 * 1024;
  const concurrency = options.concurrency ?? 4;
  const described = (name: string, size: number | undefined, contentMD5: Uint8Array | undefined) =>
    storedSnapshot(
      name,
      size ?? 0,
      contentMD5?.length ? `md5:${Buffer.from(contentMD5).toString('base64')}` : undefined,
    );
  const where = (key: string) => `${container.containerName}/${key}`;

  async function save(
    snapshot: Snapshot,
    data: SnapshotSource,
    callOptions?: CallOptions,
  ): Promise<StoredSnapshot> {
    const signal = resolveSignal(callOptions);
    const context = { provider: 'azure', operation: 'save' };
    throwIfAborted(signal, context);
    const key = formatSnapshotKey(options.prefix, snapshot);
    const blob = container.getBlockBlobClient(key);
    // One nonce per save: ids of one blob must have one length, and never collide with another save's.
    const nonce = randomBytes(6).toString('hex');
    const ids: string[] = [];
    const whole = createHash('md5');
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let size = 0;
    try {
      for await (const block of fixedSizeChunks(abortableSource(data, { signal, context }), blockSize)) {
        if (failure) break;
        const id = Buffer.from(`${nonce}-${String(ids.length).padStart(8, '0')}`).toString('base64');
        ids.push(id);
        whole.update(block);
        size += block.length;
        const staged = blob
          .stageBlock(id, block, block.length, { transactionalContentMD5: md5(block), abortSignal: signal })
          .then(
            () => undefined,
            (error: unknown) => {
              failure ??= error;
            },
          );
        inFlight.add(staged);
        void staged.finally(() => inFlight.delete(staged));
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (failure) throw failure;
      const digest = whole.digest();
      await blob.commitBlockList(ids, {
        blobHTTPHeaders: { blobContentType: 'application/octet-stream', blobContentMD5: digest },
        metadata: { trellissize: String(size), [DIGEST_METADATA]: digest.toString('base64') },
        abortSignal: signal,
      });
      return described(key, size, digest);
    } catch (error) {
      await Promise.allSettled(inFlight);
      if (signal?.aborted) throw canceled(signal.reason, context);
      if (TrellisError.isInstance(error)) throw error;
      throw toTrellisError(error, { operation: 'save', signal });
    }
  }

  async function fetch(snapshot: Snapshot, callOptions?: CallOptions): Promise<Readable> {
    const signal = callSignal(callOptions, { provider: 'azure', operation: 'fetch' });
    const key = formatSnapshotKey(options.prefix, snapshot);
    let response: Awaited<ReturnType<ReturnType<ContainerClient['getBlobClient']>['download']>>;
    try {
      response = await container.getBlobClient(key).download(0, undefined, { abortSignal: signal });
    } catch (error) {
      const mapped = toTrellisError(error, { operation: 'fetch', signal });
      if (mapped.code === 'NotFound' || (error as { statusCode?: number }).statusCode === 404) {
        throw notFound(`snapshot ${key} does not exist in ${where('')}`, {
          provider: 'azure',
          operation: 'fetch',
        });
      }
      throw mapped;
    }
    // The digest Trellis wrote at commit wins over the Content-MD5 header (which anyone may reset).
    const expected =
      response.metadata?.[DIGEST_METADATA] ??
      (response.contentMD5 ? Buffer.from(response.contentMD5).toString('base64') : undefined);
    const body = response.readableStreamBody!;
    const digest = createHash('md5');
    const output = new PassThrough({
      transform(chunk: Buffer, _encoding, callback) {
        digest.update(chunk);
        callback(null, chunk);
      },
      flush(callback) {
        const actual = digest.digest('base64');
        if (expected && actual !== expected) {
          callback(
            new TrellisError({
              code: 'Internal',
              provider: 'azure',
              operation: 'fetch',
              message: `snapshot ${where(key)} is corrupt: its MD5 is ${actual}, the stored one ${expected}`,
            }),
          );
        } else callback();
      },
    });
    body.on('error', (error) => output.destroy(toTrellisError(error, { operation: 'fetch', signal })));
    body.pipe(output);
    return output;
  }

  async function list(listOptions: { includeAll?: boolean } & CallOptions = {}): Promise<StoredSnapshot[]> {
    const signal = callSignal(listOptions, { provider: 'azure', operation: 'list' });
    const listing = snapshotListing(options.prefix, listOptions.includeAll);
    const snapshots: StoredSnapshot[] = [];
    try {
      const pages = container
        .listBlobsFlat({ prefix: listing.listPrefix, abortSignal: signal })
        .byPage({ maxPageSize: 1000 });
      for await (const page of pages) {
        for (const item of page.segment.blobItems) {
          if (!listing.isSnapshotKey(item.name)) continue;
          snapshots.push(described(item.name, item.properties.contentLength, item.properties.contentMD5));
        }
      }
    } catch (error) {
      throw toTrellisError(error, { operation: 'list', signal });
    }
    return snapshots.sort(compareSnapshots);
  }

  async function remove(snapshot: Snapshot, callOptions?: CallOptions): Promise<void> {
    const signal = callSignal(callOptions, { provider: 'azure', operation: 'delete' });
    try {
      await container
        .getBlobClient(formatSnapshotKey(options.prefix, snapshot))
        .deleteIfExists({ deleteSnapshots: 'include', abortSignal: signal });
    } catch (error) {
      throw toTrellisError(error, { operation: 'delete', signal });
    }
  }

  return { specificationVersion: 'v1', provider: 'azure', save, fetch, list, delete: remove };
}

/** Creates the backup container when missing (private: no public access). Resolves whether it was created. */
export async function ensureBlobContainer(
  container: BlobBackupStoreOptions['container'],
  retry?: BlobBackupStoreOptions['retry'],
): Promise<{ created: boolean }> {
  try {
    const result = await containerClientOf(container, retry).createIfNotExists();
    return { created: result.succeeded };
  } catch (error) {
    throw toTrellisError(error, { operation: 'ensureContainer' });
  }
}
