// Azure Blob save of 256 MiB into Azurite (its own process): the Trellis store vs a plain
// @azure/storage-blob uploadStream of the same bytes with the same block size and concurrency.
// Rounds alternate; medians count. Target: throughput >= 0.9x. Peak RSS of this process is reported.
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { createAzureProvider, ensureBlobContainer } from '@trellis/provider-azure';
import { startAzurite } from '@trellis/provider-azure/testing';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const BLOCK = 8 * MIB;
const CONCURRENCY = 4;
const ROUNDS = Number(process.env.TRELLIS_BENCH_ROUNDS ?? 3);

async function* bytes(): AsyncGenerator<Uint8Array> {
  const block = Buffer.alloc(4 * MIB);
  for (let offset = 0; offset < block.length; offset += 4)
    block.writeUInt32LE((offset * 2654435761) >>> 0, offset);
  for (let offset = 0; offset < SIZE; offset += MIB)
    yield Buffer.from(block.subarray(offset % block.length, (offset % block.length) + MIB));
}

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
  const runs: Record<'trellis' | 'plain', number[]> = { trellis: [], plain: [] };
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 === 0
      ? (['plain', 'trellis'] as const)
      : (['trellis', 'plain'] as const)) {
      const started = performance.now();
      if (variant === 'trellis') {
        const snapshot = {
          kind: 'Full',
          startRevision: 0,
          lastRevision: round + 1,
          createdOn: new Date(),
        } as const;
        await store.save(snapshot, bytes());
        await store.delete(snapshot);
      } else {
        const blob = container.getBlockBlobClient(`plain/${round}`);
        await blob.uploadStream(Readable.from(bytes()), BLOCK, CONCURRENCY);
        await blob.delete();
      }
      runs[variant].push((performance.now() - started) / 1000);
    }
  }
  clearInterval(sampler);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const throughput = (variant: 'trellis' | 'plain') => SIZE / MIB / median(runs[variant]);
  const ratio = throughput('trellis') / throughput('plain');
  console.log(
    `trellis ${throughput('trellis').toFixed(1)} MiB/s (${runs.trellis.map((s) => s.toFixed(2)).join(' / ')} s)`,
  );
  console.log(
    `plain   ${throughput('plain').toFixed(1)} MiB/s (${runs.plain.map((s) => s.toFixed(2)).join(' / ')} s)`,
  );
  console.log(
    `blob-save 256 MiB into Azurite: MiB/s trellis=${throughput('trellis').toFixed(2)} plain-uploadStream=${throughput('plain').toFixed(2)} ` +
      `ratio=${ratio.toFixed(3)} (target >= 0.9) ${ratio >= 0.9 ? 'MET' : 'MISSED'}; peak RSS of this process ${(peak / MIB).toFixed(0)} MiB`,
  );
  await provider.close();
} finally {
  await azurite.close();
}
