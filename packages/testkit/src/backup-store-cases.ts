import { createHash } from 'node:crypto';
import {
  type BackupStore,
  compareSnapshots,
  formatSnapshotName,
  type Snapshot,
  type SnapshotKind,
  TrellisError,
} from '@trellis/core';
import type { BackupConformanceCase } from './backup-store-conformance-types.js';
import { collectBytes, failingSource, randomBytesSource, sha256Of } from './byte-streams.js';
import {
  assertCount,
  assertMemoryGrowthBelow,
  assertSameJson,
  assertSameSet,
  expectTrellisError,
  fail,
} from './conformance-assertions.js';
import { withCleanup } from './conformance-cases.js';
import { measureMemoryGrowth, repeatingSource } from './memory-usage.js';

/** What every backup case gets. */
export interface BackupCaseContext {
  store: BackupStore;
  largeSize: number;
  boundedMemorySize: number;
  boundedMemoryLimit: number;
}

type BackupCase = (context: BackupCaseContext) => Promise<void>;

const MIB = 2 ** 20;

/** Revisions no other case (or earlier run against a shared store) uses: one block of 10^6 per case. */
function revisionBase(caseIndex: number): number {
  return (caseIndex + 1) * 10_000_000 + Math.floor(Math.random() * 9_000) * 1_000;
}

function snapshotOf(
  kind: SnapshotKind,
  start: number,
  last: number,
  extra: Partial<Snapshot> = {},
): Snapshot {
  // Whole seconds: names keep second precision, so a listed createdOn can be compared exactly.
  const createdOn = new Date(Math.floor(Date.now() / 1000) * 1000);
  return { kind, startRevision: start, lastRevision: last, createdOn, ...extra };
}

async function keys(store: BackupStore): Promise<string[]> {
  return (await store.list()).map((snapshot) => snapshot.key);
}

/** SHA-256 and length of a stream, read chunk by chunk. */
async function digest(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

function roundTrip(size: number, caseIndex: number): BackupCase {
  return ({ store }) =>
    withCleanup(async (defer) => {
      const base = revisionBase(caseIndex);
      const snapshot = snapshotOf('Full', base, base + 1);
      defer(() => store.delete(snapshot));
      const seed = base;
      const stored = await store.save(snapshot, randomBytesSource(size, { seed }));
      if (stored.name !== formatSnapshotName(snapshot))
        fail(`saved as ${stored.name}, expected ${formatSnapshotName(snapshot)}`);
      if (stored.size !== undefined) assertCount(stored.size, size, 'bytes reported by save');
      if (!(await keys(store)).includes(stored.key)) fail(`${stored.key} is not listed after save`);
      const fetched = await store.fetch(snapshot);
      if (size <= 1024) {
        const expected = await collectBytes(randomBytesSource(size, { seed }));
        const actual = await collectBytes(fetched);
        if (!actual.equals(expected)) fail(`fetched ${actual.length} bytes differ from the ${size} saved`);
      } else {
        const actual = await digest(fetched);
        assertCount(actual.size, size, 'bytes fetched');
        if (actual.sha256 !== (await sha256Of(randomBytesSource(size, { seed })))) {
          fail('fetched bytes have another SHA-256 than the saved ones');
        }
      }
    });
}

/** Yields a random stream and aborts `controller` once `abortAfter` bytes went out. */
async function* abortingSource(size: number, abortAfter: number, controller: AbortController) {
  let sent = 0;
  for await (const chunk of randomBytesSource(size)) {
    yield chunk;
    sent += chunk.length;
    if (sent >= abortAfter && !controller.signal.aborted) controller.abort();
  }
}

/** The case bodies, each a plain async function of its context (so they can be run outside a suite). */
export const backupCases: Record<BackupConformanceCase, BackupCase> = {
  'round-trip-empty': roundTrip(0, 0),
  'round-trip-one-byte': roundTrip(1, 1),
  'round-trip-large': (context) => roundTrip(context.largeSize, 2)(context),

  'list-ascending-and-parsed': ({ store }) =>
    withCleanup(async (defer) => {
      const base = revisionBase(3);
      const expected = [
        snapshotOf('Full', base + 1, base + 10),
        snapshotOf('Incr', base + 11, base + 20),
        snapshotOf('Incr', base + 21, base + 30, { compressionSuffix: '.gz' }),
        snapshotOf('Full', base + 1, base + 40, { isFinal: true, compressionSuffix: '.gz' }),
      ];
      for (const [index, snapshot] of [expected[3]!, expected[1]!, expected[0]!, expected[2]!].entries()) {
        defer(() => store.delete(snapshot));
        await store.save(snapshot, randomBytesSource(1024, { seed: index }));
      }
      const listed = await store.list();
      for (let index = 1; index < listed.length; index += 1) {
        if (compareSnapshots(listed[index - 1]!, listed[index]!) > 0) {
          fail(`list is not ascending: ${listed[index - 1]!.name} comes before ${listed[index]!.name}`);
        }
      }
      const names = expected.map((snapshot) => formatSnapshotName(snapshot));
      const ours = listed.filter((snapshot) => names.includes(snapshot.name));
      assertSameJson(
        ours.map((snapshot) => snapshot.name),
        names,
        'listed names (in list order) and saved names (ascending)',
      );
      ours.forEach((snapshot, index) => {
        const want = expected[index]!;
        assertSameJson(
          {
            kind: snapshot.kind,
            startRevision: snapshot.startRevision,
            lastRevision: snapshot.lastRevision,
            createdOn: snapshot.createdOn.getTime(),
            compressionSuffix: snapshot.compressionSuffix ?? '',
            isFinal: snapshot.isFinal ?? false,
          },
          {
            ...want,
            createdOn: want.createdOn.getTime(),
            compressionSuffix: want.compressionSuffix ?? '',
            isFinal: want.isFinal ?? false,
          },
          `parsed fields of ${snapshot.name}`,
        );
        if (!snapshot.key.endsWith(`v2/${snapshot.name}`))
          fail(`key ${snapshot.key} does not end with v2/${snapshot.name}`);
      });
    }),

  delete: ({ store }) =>
    withCleanup(async (defer) => {
      const base = revisionBase(4);
      const snapshot = snapshotOf('Full', base, base + 5);
      defer(() => store.delete(snapshot));
      const stored = await store.save(snapshot, randomBytesSource(4096));
      await store.delete(snapshot);
      if ((await keys(store)).includes(stored.key)) fail(`${stored.key} is still listed after delete`);
      await expectTrellisError(store.fetch(snapshot), 'NotFound', 'fetch after delete');
    }),

  'delete-missing-succeeds': async ({ store }) => {
    const base = revisionBase(5);
    const before = await keys(store);
    await store.delete(snapshotOf('Incr', base, base + 3));
    assertSameSet(await keys(store), before, 'listed snapshots after deleting a missing one');
  },

  'failed-source-leaves-nothing': ({ store }) =>
    withCleanup(async (defer) => {
      const base = revisionBase(6);
      const snapshot = snapshotOf('Full', base, base + 7);
      defer(() => store.delete(snapshot));
      const before = await keys(store);
      // Past a multipart part size (5 MiB on S3), so a partial upload exists when the source fails.
      let rejection: unknown;
      await store.save(snapshot, failingSource(12 * MIB, 7 * MIB)).then(
        () => fail('save succeeded although its source failed'),
        (error: unknown) => {
          rejection = error;
        },
      );
      if (!TrellisError.isInstance(rejection))
        fail(`save rejected with ${String(rejection)}, not a TrellisError`);
      assertSameSet(await keys(store), before, 'listed snapshots after a failed save');
      await expectTrellisError(store.fetch(snapshot), 'NotFound', 'fetch of a failed save');
    }),

  'aborted-save-leaves-nothing': ({ store }) =>
    withCleanup(async (defer) => {
      const base = revisionBase(7);
      const snapshot = snapshotOf('Full', base, base + 9);
      defer(() => store.delete(snapshot));
      const before = await keys(store);
      const aborted = AbortSignal.abort();
      await expectTrellisError(
        store.save(snapshot, randomBytesSource(1024), { signal: aborted }),
        'Canceled',
        'save with an aborted signal',
      );
      const controller = new AbortController();
      const source = abortingSource(12 * MIB, 6 * MIB, controller);
      await expectTrellisError(
        store.save(snapshot, source, { signal: controller.signal }),
        'Canceled',
        'save aborted midway',
      );
      assertSameSet(await keys(store), before, 'listed snapshots after an aborted save');
      await expectTrellisError(store.fetch(snapshot), 'NotFound', 'fetch of an aborted save');
    }),

  'fetch-missing-is-not-found': async ({ store }) => {
    const base = revisionBase(8);
    await expectTrellisError(
      store.fetch(snapshotOf('Full', base, base + 2)),
      'NotFound',
      'fetch of a missing snapshot',
    );
  },

  'memory-stays-bounded': ({ store, boundedMemorySize, boundedMemoryLimit }) =>
    withCleanup(async (defer) => {
      const base = revisionBase(9);
      const snapshot = snapshotOf('Full', base, base + 11);
      defer(() => store.delete(snapshot));
      // One random 4 MiB block, repeated in fresh 1 MiB buffers: generated lazily, so only a store
      // that holds on to what it was given grows by the stream's size.
      const block = await collectBytes(randomBytesSource(4 * MIB, { seed: base }));
      const source = (onChunk?: () => void) =>
        repeatingSource(boundedMemorySize, { block, chunkSize: MIB, ...(onChunk ? { onChunk } : {}) });
      // Sampling (with a full GC) on every 8th MiB pulled from the source: what the store holds mid-save.
      let pulled = 0;
      const { growth } = await measureMemoryGrowth((sample) =>
        store.save(
          snapshot,
          source(() => {
            if (++pulled % 8 === 0) sample();
          }),
        ),
      );
      assertMemoryGrowthBelow(growth.arrayBuffers, boundedMemoryLimit, 'ArrayBuffer memory');
      assertMemoryGrowthBelow(growth.rss, boundedMemoryLimit, 'resident memory (RSS)');
      const fetched = await digest(await store.fetch(snapshot));
      assertCount(fetched.size, boundedMemorySize, 'bytes fetched');
      if (fetched.sha256 !== (await sha256Of(source())))
        fail('fetched bytes have another SHA-256 than the saved ones');
    }),
};
