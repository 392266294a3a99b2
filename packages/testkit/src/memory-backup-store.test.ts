import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { collectBytes, randomBytesSource, sha256Of } from './byte-streams.js';
import { createMemoryBackupStore } from './memory-backup-store.js';

const snapshot = {
  kind: 'Full' as const,
  startRevision: 1,
  lastRevision: 9,
  createdOn: new Date(1_700_000_000_000),
};

describe('memory backup store', () => {
  it('accepts web streams and node streams, and re-chunks across piece boundaries', async () => {
    const store = createMemoryBackupStore({ chunkSize: 1000, prefix: 'etcd/main' });
    const pieces = [Buffer.alloc(700, 1), Buffer.alloc(700, 2), Buffer.alloc(1, 3)];
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    const stored = await store.save(snapshot, web);
    expect(stored).toMatchObject({ key: 'etcd/main/v2/Full-00000001-00000009-1700000000', size: 1401 });
    expect((await collectBytes(await store.fetch(snapshot))).equals(Buffer.concat(pieces))).toBe(true);
    await store.save(snapshot, Readable.from(pieces.slice(0, 1)));
    expect(await collectBytes(await store.fetch(snapshot))).toHaveLength(700);
  });

  it('overwriting one snapshot leaves another that shares its chunks intact', async () => {
    const store = createMemoryBackupStore({ chunkSize: 4096 });
    const other = { ...snapshot, lastRevision: 10 };
    await store.save(snapshot, randomBytesSource(50_000, { seed: 1 }));
    await store.save(other, randomBytesSource(50_000, { seed: 1 }));
    await store.save(snapshot, randomBytesSource(10, { seed: 2 }));
    await store.delete(snapshot);
    expect(await sha256Of(await store.fetch(other))).toBe(
      await sha256Of(randomBytesSource(50_000, { seed: 1 })),
    );
    expect((await store.list()).map((stored) => stored.lastRevision)).toEqual([10]);
  });
});
