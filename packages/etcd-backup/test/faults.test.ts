import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TrellisError } from '@trellis/core';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEtcdClient,
  RevisionGapError,
  restoreEtcd,
  SnapshotIntegrityError,
  Snapshotter,
  takeDeltaSnapshot,
  takeFullSnapshot,
} from '../src/index.js';
import { etcdEntries, readEtcdContents, readRestoredEtcdContents } from '../src/testing/index.js';
import { createDirectoryStore, type TestStore } from './directory-store.js';
import { writeKeys } from './etcd-data.js';
import { etcdInstalled, startTestEtcd, temporaryDirectory } from './etcd-fixture.js';

describe.skipIf(!etcdInstalled)('faults', () => {
  let source: Awaited<ReturnType<typeof startTestEtcd>>;
  let client: Etcd3;
  let work: Awaited<ReturnType<typeof temporaryDirectory>>;
  let counter = 0;
  const newStore = () => createDirectoryStore(join(work.path, `store-${counter++}`));
  const restoreInto = (store: TestStore) =>
    restoreEtcd({ store, dataDirectory: join(work.path, `restore-${counter++}`) });

  beforeAll(async () => {
    source = await startTestEtcd('faults');
    client = createEtcdClient({ endpoints: [source.endpoint] });
    work = await temporaryDirectory('faults');
    await writeKeys(client, 'base/', 2000, (index) => `value-${index}-${'x'.repeat(50)}`);
  });
  afterAll(async () => {
    client?.close();
    await source?.stop();
    await work?.remove();
  });

  /** A store holding a full snapshot and three deltas. */
  async function storeWithChain() {
    const store = await newStore();
    const full = await takeFullSnapshot({ client, store });
    const deltas = [];
    let since = full.lastRevision;
    for (let period = 0; period < 3; period++) {
      await writeKeys(client, `period-${period}/`, 150, (index) => `p${period}-${index}`);
      const delta = await takeDeltaSnapshot({ client, store, sinceRevision: since });
      if (!delta) throw new Error('expected a delta');
      deltas.push(delta);
      since = delta.lastRevision;
    }
    return { store, full, deltas };
  }

  it('a store write killed midway leaves no snapshot listed', async () => {
    const store = await newStore();
    store.failSavesAfterBytes = 4096;
    await expect(takeFullSnapshot({ client, store })).rejects.toThrow(/simulated store failure/);
    expect(await store.list()).toEqual([]);

    store.failSavesAfterBytes = undefined;
    const full = await takeFullSnapshot({ client, store });
    await writeKeys(client, 'killed/', 300, (index) => `k-${index}-${'y'.repeat(100)}`);
    store.failSavesAfterBytes = 1024;
    await expect(takeDeltaSnapshot({ client, store, sinceRevision: full.lastRevision })).rejects.toThrow(
      /simulated store failure/,
    );
    expect((await store.list()).map((snapshot) => snapshot.name)).toEqual([full.name]);
  });

  it('etcd dying in the middle of a full snapshot leaves no snapshot listed', async () => {
    const doomed = await startTestEtcd('doomed');
    const doomedClient = createEtcdClient({ endpoints: [doomed.endpoint] });
    try {
      await writeKeys(
        doomedClient,
        'big/',
        3000,
        (index) => `${index}-${randomBytes(1500).toString('base64')}`,
      );
      const store = await newStore();
      store.delayPerChunkMs = 5;
      let killed = false;
      store.onSaveProgress = (bytes) => {
        if (bytes > 256 * 1024 && !killed) {
          killed = true;
          void doomed.stop();
        }
      };
      await expect(takeFullSnapshot({ client: doomedClient, store })).rejects.toThrow();
      expect(killed).toBe(true);
      expect(await store.list()).toEqual([]);
    } finally {
      doomedClient.close();
      await doomed.stop();
    }
  });

  it('a restore canceled while its deltas apply stops between deltas and leaves no data directory', async () => {
    const { store, deltas } = await storeWithChain();
    const controller = new AbortController();
    const applied: string[] = [];
    const dataDirectory = join(work.path, `canceled-${counter++}`);
    const failure = await restoreEtcd({
      store,
      dataDirectory,
      signal: controller.signal,
      logger: {
        debug: (fields, message) => {
          if (message !== 'applied delta snapshot') return;
          applied.push(String(fields.delta));
          controller.abort();
        },
        info: () => {},
        warn: () => {},
        error: () => {},
      },
    }).catch((error: unknown) => error);
    expect(TrellisError.hasCode(failure, 'Canceled')).toBe(true);
    expect(applied).toEqual([deltas[0]?.name]);
    expect(existsSync(dataDirectory)).toBe(false);
  });

  it('restores the state at a revision between two deltas', async () => {
    const { store, deltas } = await storeWithChain();
    const middle = Math.floor(((deltas[1]?.startRevision ?? 0) + (deltas[1]?.lastRevision ?? 0)) / 2);
    const atMiddle = await client.kv.range({
      key: Buffer.from([0]),
      range_end: Buffer.from([0]),
      revision: middle,
    });
    const expected = etcdEntries(atMiddle.kvs);
    const dataDirectory = join(work.path, `point-in-time-${counter++}`);
    const result = await restoreEtcd({ store, dataDirectory, revision: middle });
    expect(result.revision).toBe(middle);
    expect(result.plan.deltas.map((delta) => delta.name)).toEqual([deltas[0]?.name, deltas[1]?.name]);
    const actual = await readRestoredEtcdContents(dataDirectory);
    expect(actual.revision).toBe(middle);
    expect(actual.entries).toEqual(expected);
  });

  it('a corrupted full snapshot is named and refused', async () => {
    const { store, full } = await storeWithChain();
    // Valid gzip, altered database bytes: only etcd's sha256 can tell.
    const path = store.pathOf(full.name);
    const database = gunzipSync(await readFile(path));
    const middle = Math.floor(database.length / 2);
    database.writeUInt8(database.readUInt8(middle) ^ 0xff, middle);
    await writeFile(path, gzipSync(database));
    const parent = join(work.path, 'corrupt-full');
    const scratch = join(work.path, 'corrupt-full-scratch');
    await mkdir(parent);
    await mkdir(scratch);
    const dataDirectory = join(parent, 'data');
    const failure = await restoreEtcd({ store, dataDirectory, temporaryDirectory: scratch }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SnapshotIntegrityError);
    expect((failure as SnapshotIntegrityError).snapshot).toBe(full.name);
    expect((failure as Error).message).toContain(full.name);
    expect((failure as Error).message).toMatch(/sha256/);
    // Neither the data directory etcdctl restored meanwhile nor the decompressed snapshot is left.
    expect(existsSync(dataDirectory)).toBe(false);
    expect(await readdir(parent)).toEqual([]);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('a truncated full snapshot is named and refused', async () => {
    const { store, full } = await storeWithChain();
    const path = store.pathOf(full.name);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const failure = await restoreInto(store).catch((error: unknown) => error);
    expect((failure as SnapshotIntegrityError).snapshot).toBe(full.name);
  });

  it('a corrupted delta snapshot is named and refused', async () => {
    const { store, deltas } = await storeWithChain();
    const victim = deltas[1]!;
    const path = store.pathOf(victim.name);
    const payload = gunzipSync(await readFile(path));
    const text = payload.toString('latin1').replace('cDEt', 'cDEu');
    expect(text).not.toBe(payload.toString('latin1'));
    await writeFile(path, gzipSync(Buffer.from(text, 'latin1')));
    const failure = await restoreInto(store).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SnapshotIntegrityError);
    expect((failure as SnapshotIntegrityError).snapshot).toBe(victim.name);
    expect((failure as Error).message).toMatch(/sha256/);
  });

  it('a lost delta in the middle is reported as the exact missing revisions', async () => {
    const { store, deltas } = await storeWithChain();
    const [first, lost, last] = deltas as [(typeof deltas)[0], (typeof deltas)[0], (typeof deltas)[0]];
    await store.delete(lost);
    const failure = await restoreInto(store).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RevisionGapError);
    expect((failure as RevisionGapError).missingFrom).toBe(lost.startRevision);
    expect((failure as RevisionGapError).missingTo).toBe(lost.lastRevision);
    expect((failure as Error).message).toContain(first.name);
    expect((failure as Error).message).toContain(last.name);
  });

  it('compaction before a delta takes a new full snapshot and loses nothing', async () => {
    const store = await newStore();
    const snapshotter = new Snapshotter({ client, store });
    const saved: string[] = [];
    snapshotter.on('snapshot-saved', (snapshot, details) => saved.push(`${snapshot.kind}:${details.reason}`));
    await snapshotter.takeFullSnapshot();
    await writeKeys(client, 'compacted/', 200, (index) => `c-${index}`);
    const revision = (await readEtcdContents(client)).revision;
    await client.kv.compact({ revision, physical: true });
    const taken = await snapshotter.takeDeltaSnapshot();
    expect(taken?.kind).toBe('Full');
    expect(saved).toEqual(['Full:manual', 'Full:compacted']);

    await writeKeys(client, 'after/', 50, (index) => `a-${index}`);
    expect((await snapshotter.takeDeltaSnapshot())?.kind).toBe('Incr');
    const expected = await readEtcdContents(client);
    const dataDirectory = join(work.path, 'after-compaction');
    const result = await restoreEtcd({ store, dataDirectory });
    expect(result.revision).toBe(expected.revision);
    expect(result.plan.full.name).toBe(taken?.name);
    expect(await readRestoredEtcdContents(dataDirectory)).toEqual(expected);
  });
});
