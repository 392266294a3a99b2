import { createHash } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { TrellisError } from '@trellis/core';
import { backupStoreConformance, collectBytes, randomBytesSource } from '@trellis/testkit';
import { FaultInjector, startFaultProxy } from '@trellis/testkit/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureProvider, ensureBlobContainer } from '../src/index.js';
import { AZURITE_ACCOUNT, type Azurite, startAzurite } from '../src/testing/index.js';
import { LOCATION, SUBSCRIPTION } from './azure-machine-harness.js';

const snapshot = (lastRevision: number) =>
  ({
    kind: 'Full',
    startRevision: 0,
    lastRevision,
    createdOn: new Date(1_790_000_000_000 + lastRevision * 1000),
    compressionSuffix: '.gz',
  }) as const;

const providerFor = () =>
  createAzureProvider({ subscriptionId: SUBSCRIPTION, location: LOCATION, credentials: { token: 'unused' } });

backupStoreConformance({
  name: 'Azure Blob backup store against Azurite (a child process)',
  setup: async () => {
    const azurite = await startAzurite();
    const provider = providerFor();
    const account = { connectionString: azurite.connectionString };
    await ensureBlobContainer(provider, { container: 'conformance', account });
    return {
      store: provider.backupStore({ container: 'conformance', prefix: 'etcd/main', account }),
      cleanup: async () => {
        await provider.close();
        await azurite.close();
      },
    };
  },
  largeSize: 16 * 1024 * 1024,
  boundedMemorySize: 128 * 1024 * 1024,
});

backupStoreConformance({
  name: 'Azure Blob backup store against Azurite behind a proxy failing 20% of calls (ServerBusy, 500, lost responses)',
  setup: async () => {
    const azurite = await startAzurite();
    const proxy = await startFaultProxy({
      target: azurite.blobEndpoint,
      actionOf: (method, url) =>
        `${method} ${url.searchParams.get('comp') ?? (method === 'PUT' ? 'blob' : 'read')}`,
      renderFault: (kind, status) => storageError(kind === 'throttle' ? 503 : status),
      faults: new FaultInjector({ seed: 7 }),
    });
    proxy.faults.add({ kind: 'throttle', rate: 0.1 });
    proxy.faults.add({ kind: 'server-error', rate: 0.05, status: 500 });
    proxy.faults.add({ kind: 'lost-response', rate: 0.05 });
    const provider = providerFor();
    const account = { connectionString: azurite.connectionString.replace(azurite.blobEndpoint, proxy.url) };
    const config = {
      container: 'faults',
      prefix: 'etcd/main',
      account,
      retryDelayMs: 5,
      blockSize: 1024 * 1024,
    };
    await ensureBlobContainer(provider, config);
    return {
      store: provider.backupStore(config),
      cleanup: async () => {
        const injected = proxy.calls.entries.filter((entry) => entry.fault !== undefined).length;
        const total = proxy.calls.entries.length;
        await provider.close();
        await proxy.close();
        await azurite.close();
        // The suite proves nothing unless faults really hit it.
        if (injected < total * 0.1)
          throw new Error(`only ${injected} of ${total} calls had a fault injected`);
      },
    };
  },
  largeSize: 16 * 1024 * 1024,
  boundedMemorySize: 64 * 1024 * 1024,
});

/** Azure Storage's error answer: XML with the code, and `x-ms-error-code`. */
function storageError(status: number) {
  const code = status === 503 ? 'ServerBusy' : 'InternalError';
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code === 'ServerBusy' ? 'The server is busy.' : 'The server encountered an internal error.'}</Message></Error>`,
  };
}

describe('Azure Blob backup store', () => {
  let azurite: Azurite;
  let service: BlobServiceClient;
  const provider = providerFor();
  const account = () => ({ connectionString: azurite.connectionString });
  beforeAll(async () => {
    azurite = await startAzurite();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    expect(await ensureBlobContainer(provider, { container: 'details', account: account() })).toEqual({
      created: true,
    });
  });
  afterAll(async () => {
    await provider.close();
    await azurite?.close();
  });

  it('ensureBlobContainer makes a private container once and then finds it', async () => {
    expect(await ensureBlobContainer(provider, { container: 'details', account: account() })).toEqual({
      created: false,
    });
    const properties = await service.getContainerClient('details').getProperties();
    expect(properties.blobPublicAccess).toBeUndefined();
  });

  it("stages equal-length blocks under etcd-backup-restore's layout and stores the whole snapshot's MD5", async () => {
    const store = provider.backupStore({
      container: 'details',
      prefix: 'etcd/main',
      account: account(),
      blockSize: 256 * 1024,
    });
    const stored = await store.save(snapshot(1), randomBytesSource(1024 * 1024 + 7, { seed: 1 }));
    expect(stored.key).toBe('etcd/main/v2/Full-00000000-00000001-1790000001.gz');
    expect(stored.size).toBe(1024 * 1024 + 7);
    const blob = service.getContainerClient('details').getBlockBlobClient(stored.key);
    const blocks = await blob.getBlockList('committed');
    expect(blocks.committedBlocks?.map((block) => block.size)).toEqual([
      262_144, 262_144, 262_144, 262_144, 7,
    ]);
    expect(new Set(blocks.committedBlocks?.map((block) => block.name.length)).size).toBe(1);
    const properties = await blob.getProperties();
    const expected = createHash('md5')
      .update(await collectBytes(randomBytesSource(1024 * 1024 + 7, { seed: 1 })))
      .digest('base64');
    expect(Buffer.from(properties.contentMD5!).toString('base64')).toBe(expected);
    expect(stored.checksum).toBe(`md5:${expected}`);
    expect((await store.list()).map((listed) => listed.checksum)).toEqual([`md5:${expected}`]);
    await store.delete(snapshot(1));
  });

  it('errors the fetched stream when the stored bytes do not match their MD5', async () => {
    const store = provider.backupStore({ container: 'details', prefix: 'corrupt', account: account() });
    const stored = await store.save(snapshot(2), randomBytesSource(300_000, { seed: 2 }));
    // Someone rewrites the blob's bytes but keeps the old Content-MD5 header.
    const blob = service.getContainerClient('details').getBlockBlobClient(stored.key);
    const { contentMD5 } = await blob.getProperties();
    await blob.upload(Buffer.alloc(300_000, 1), 300_000);
    await blob.setHTTPHeaders({ blobContentMD5: contentMD5! });
    const error = await collectBytes(await store.fetch(snapshot(2))).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/corrupt/);
    await store.delete(snapshot(2));
  });

  it('checks the digest written at commit, not only the Content-MD5 header someone can reset', async () => {
    const store = provider.backupStore({ container: 'details', prefix: 'rewritten', account: account() });
    const stored = await store.save(snapshot(4), randomBytesSource(200_000, { seed: 4 }));
    const blob = service.getContainerClient('details').getBlockBlobClient(stored.key);
    const { metadata } = await blob.getProperties();
    expect(metadata?.trellismd5).toBe(stored.checksum?.slice('md5:'.length));
    // Other bytes, their own correct Content-MD5, the old metadata kept.
    const other = Buffer.alloc(200_000, 7);
    await blob.upload(other, other.length, {
      metadata: metadata!,
      blobHTTPHeaders: { blobContentMD5: createHash('md5').update(other).digest() },
    });
    const error = await collectBytes(await store.fetch(snapshot(4))).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/corrupt/);
    await store.delete(snapshot(4));
  });

  it('lists only committed snapshots: blocks staged by a save that never committed stay invisible', async () => {
    const store = provider.backupStore({ container: 'details', prefix: 'staged', account: account() });
    const key = 'staged/v2/Full-00000000-00000003-1790000003.gz';
    await service
      .getContainerClient('details')
      .getBlockBlobClient(key)
      .stageBlock(Buffer.from('block-0').toString('base64'), Buffer.from('half a snapshot'), 15);
    expect(await store.list()).toEqual([]);
    expect(await store.list({ includeAll: true })).toEqual([]);
  });

  it('lists past one page of 1,000 blobs', async () => {
    const store = provider.backupStore({ container: 'details', prefix: 'many', account: account() });
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
    expect(listed[0]!.lastRevision).toBe(10_000);
    expect(listed.at(-1)!.lastRevision).toBe(11_004);
  }, 180_000);

  it('a wrong account key is Unauthenticated or PermissionDenied, and the key is in no message', async () => {
    const wrongKey = Buffer.from('not the key of this account at all').toString('base64');
    const connectionString = azurite.connectionString.replace(AZURITE_ACCOUNT.key, wrongKey);
    const store = provider.backupStore({
      container: 'details',
      prefix: 'denied',
      account: { connectionString },
    });
    const error = await store.list().catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error)).toBe(true);
    expect(['Unauthenticated', 'PermissionDenied']).toContain((error as TrellisError).code);
    expect(JSON.stringify({ message: (error as Error).message, error })).not.toContain(wrongKey);
  });

  it('rejects a bad config with field paths before any call', () => {
    const error = (() => {
      try {
        provider.backupStore({
          container: 'No_Such',
          account: { connectionString: 'nonsense' },
          concurrency: 0,
        });
      } catch (caught) {
        return caught as TrellisError;
      }
    })();
    expect(error?.code).toBe('InvalidArgument');
    expect(error?.message).toMatch(/container: must be a Blob container name/);
    expect(error?.message).toMatch(/account/);
    expect(error?.message).toMatch(/concurrency: /);
  });
});
