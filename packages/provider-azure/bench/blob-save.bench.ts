// Azure Blob save of 256 MiB into Azurite (its own process): the Trellis store vs a plain
// @azure/storage-blob uploadStream of the same bytes with the same block size and concurrency.
// Rounds alternate; medians count. Target: throughput >= 0.9x. Peak RSS during each variant's first run is reported.
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { createAzureProvider, ensureBlobContainer } from '@trellis/provider-azure';
import { startAzurite } from '@trellis/provider-azure/testing';
import { compareSaveThroughput } from '@trellis/testkit';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const BLOCK = 8 * MIB;
const CONCURRENCY = 4;
const ROUNDS = Number(process.env.TRELLIS_BENCH_ROUNDS ?? 3);

const azurite = await startAzurite();
try {
  const provider = createAzureProvider({
    subscriptionId: '00000000-0000-4000-8000-000000000001',
    location: 'westeurope',
    credentials: { token: 'unused' },
  });
  const config = {
    container: 'bench',
    prefix: 'trellis',
    account: { connectionString: azurite.connectionString },
    blockSize: BLOCK,
    concurrency: CONCURRENCY,
  };
  await ensureBlobContainer(provider, config);
  const store = provider.backupStore(config);
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    'bench',
  );
  await compareSaveThroughput({
    benchmark: 'blob-save 256 MiB into Azurite',
    sizeBytes: SIZE,
    rounds: ROUNDS,
    baselineLabel: 'plain-uploadStream',
    target: 0.9,
    store,
    async plain(round, bytes) {
      const blob = container.getBlockBlobClient(`plain/${round}`);
      await blob.uploadStream(Readable.from(bytes()), BLOCK, CONCURRENCY);
      await blob.delete();
    },
  });
  await provider.close();
} finally {
  await azurite.close();
}
