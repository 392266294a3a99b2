import { once } from 'node:events';
import { join } from 'node:path';
import { type RetentionPolicy, type StoredSnapshot, selectSnapshotsToDelete } from '@trellis/core';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient, restoreEtcd, Snapshotter } from '../src/index.js';
import { readEtcdContents, readRestoredEtcdContents } from '../src/testing/index.js';
import { createDirectoryStore } from './directory-store.js';
import { writeKeys } from './etcd-data.js';
import { etcdInstalled, startTestEtcd, temporaryDirectory } from './etcd-fixture.js';
import { ManualClock } from './manual-clock.js';

const HOUR = 3_600_000;

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt++) {
    if (attempt > 20_000) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
const DAY = 24 * HOUR;

describe.skipIf(!etcdInstalled)('Snapshotter', () => {
  let source: Awaited<ReturnType<typeof startTestEtcd>>;
  let client: Etcd3;
  let work: Awaited<ReturnType<typeof temporaryDirectory>>;
  let counter = 0;

  beforeAll(async () => {
    source = await startTestEtcd('snapshotter');
    client = createEtcdClient({ endpoints: [source.endpoint] });
    work = await temporaryDirectory('snapshotter');
  });
  afterAll(async () => {
    client?.close();
    await source?.stop();
    await work?.remove();
  });

  async function expectRestorable(store: Awaited<ReturnType<typeof createDirectoryStore>>) {
    const expected = await readEtcdContents(client);
    const dataDirectory = join(work.path, `restore-${counter++}`);
    await restoreEtcd({ store, dataDirectory });
    expect(await readRestoredEtcdContents(dataDirectory)).toEqual(expected);
  }

  it('runs fulls on the schedule and deltas every period, skips empty periods, and takes a final snapshot', async () => {
    const store = await createDirectoryStore(join(work.path, `store-${counter++}`));
    const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));
    const snapshotter = new Snapshotter({
      client,
      store,
      clock,
      fullSnapshotSchedule: HOUR,
      deltaSnapshotPeriodMs: 20_000,
    });
    const log: string[] = [];
    snapshotter.on('snapshot-saved', (snapshot, { reason }) => log.push(`${snapshot.kind}:${reason}`));
    snapshotter.on('snapshot-skipped', () => log.push('skipped'));

    const initial = once(snapshotter, 'snapshot-saved');
    snapshotter.start();
    await initial;
    await clock.sleepers(2);

    await writeKeys(client, 'scheduled/', 100, (index) => `s-${index}`);
    let next = once(snapshotter, 'snapshot-saved');
    clock.advance(20_000);
    await next;
    await clock.sleepers(2);

    next = once(snapshotter, 'snapshot-skipped');
    clock.advance(20_000);
    await next;
    await clock.sleepers(2);

    await writeKeys(client, 'scheduled/', 10, (index) => `changed-${index}`);
    // The full snapshot falls due together with a delta period that then finds nothing new.
    clock.advance(HOUR - 40_000);
    await until(() => log.length === 5);
    await clock.sleepers(2);

    await writeKeys(client, 'scheduled/', 5, (index) => `last-${index}`);
    const final = await snapshotter.stop({ finalSnapshot: true });
    expect(final?.name).toMatch(/^Full-.*\.gz\.final$/);
    expect(log.slice(0, 3)).toEqual(['Full:initial', 'Incr:schedule', 'skipped']);
    expect(log.slice(3, 5).sort()).toEqual(['Full:schedule', 'skipped']);
    expect(log.slice(5)).toEqual(['Full:final']);
    await expectRestorable(store);
  });

  it('starts again with a full snapshot after a final one, so no delta chains onto a .final', async () => {
    const store = await createDirectoryStore(join(work.path, `store-${counter++}`));
    const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));
    const first = new Snapshotter({
      client,
      store,
      clock,
      fullSnapshotSchedule: HOUR,
      deltaSnapshotPeriodMs: 20_000,
    });
    await first.takeFullSnapshot();
    await writeKeys(client, 'final/', 10, (index) => `f-${index}`);
    const final = await first.stop({ finalSnapshot: true });
    expect(final?.isFinal).toBe(true);

    // A minute later the sidecar restarts: the newest full (the final one) is not due for an hour.
    clock.advance(60_000);
    await writeKeys(client, 'final/', 10, (index) => `after-${index}`);
    const second = new Snapshotter({
      client,
      store,
      clock,
      fullSnapshotSchedule: HOUR,
      deltaSnapshotPeriodMs: 20_000,
    });
    const reasons: string[] = [];
    second.on('snapshot-saved', (snapshot, { reason }) => reasons.push(`${snapshot.kind}:${reason}`));
    const started = once(second, 'snapshot-saved');
    second.start();
    await started;
    await clock.sleepers(2);
    await writeKeys(client, 'final/', 10, (index) => `later-${index}`);
    const delta = once(second, 'snapshot-saved');
    clock.advance(20_000);
    await delta;
    await second.stop();
    expect(reasons).toEqual(['Full:initial', 'Incr:schedule']);
    const names = (await store.list()).map((snapshot) => snapshot.name);
    const finalIndex = names.findIndex((name) => name.endsWith('.final'));
    expect(names[finalIndex + 1]).toMatch(/^Full-/);
    await expectRestorable(store);
    // Taken by hand on a snapshotter whose newest snapshot is final, a delta becomes a full one too.
    const third = new Snapshotter({
      client,
      store: await createDirectoryStore(join(work.path, `store-${counter++}`)),
      clock,
    });
    await third.takeFullSnapshot({ isFinal: true });
    await writeKeys(client, 'final/', 1, () => 'x');
    expect((await third.takeDeltaSnapshot())?.kind).toBe('Full');
  });

  it('reports a failed snapshot through its event and keeps working', async () => {
    const store = await createDirectoryStore(join(work.path, `store-${counter++}`));
    const snapshotter = new Snapshotter({ client, store });
    const failures: unknown[] = [];
    snapshotter.on('snapshot-failed', ({ error }) => failures.push(error));
    store.failSavesAfterBytes = 100;
    await expect(snapshotter.takeFullSnapshot()).rejects.toThrow(/simulated store failure/);
    expect(failures).toHaveLength(1);
    expect(await store.list()).toEqual([]);
    store.failSavesAfterBytes = undefined;
    expect((await snapshotter.takeDeltaSnapshot())?.kind).toBe('Full'); // no snapshot yet: a full one
    expect(await store.list()).toHaveLength(1);
  });

  async function simulateWeeks(policy: RetentionPolicy, weeks: number, fullEveryMs: number) {
    const store = await createDirectoryStore(join(work.path, `store-${counter++}`));
    const clock = new ManualClock(new Date('2026-01-05T00:30:00Z'));
    const snapshotter = new Snapshotter({ client, store, clock, retention: policy });
    const saved: StoredSnapshot[] = [];
    const deleted: string[] = [];
    snapshotter.on('snapshot-saved', (snapshot) => saved.push(snapshot));
    snapshotter.on('gc-deleted', (snapshot) => deleted.push(snapshot.name));
    const end = clock.now().getTime() + weeks * 7 * DAY;
    let round = 0;
    while (clock.now().getTime() < end) {
      await client.put(`retention/${round % 50}`).value(`round-${round}`);
      await snapshotter.takeFullSnapshot();
      clock.advance(fullEveryMs / 2);
      await client.put('retention/delta').value(`round-${round}`);
      await snapshotter.takeDeltaSnapshot();
      clock.advance(fullEveryMs / 2);
      round++;
    }
    await client.put('retention/last').value(`round-${round}`);
    await snapshotter.takeFullSnapshot();
    await client.put('retention/tail').value('after the last full');
    await snapshotter.takeDeltaSnapshot();
    return { store, clock, saved, deleted };
  }

  it('keeps exactly what the Exponential policy keeps over six simulated weeks', async () => {
    const policy: RetentionPolicy = { policy: 'Exponential' };
    const { store, clock, saved, deleted } = await simulateWeeks(policy, 6, 12 * HOUR);
    const remaining = await store.list();
    // The policy applied after every full, replayed over the saved history, independently of any store.
    let model: StoredSnapshot[] = [];
    for (const snapshot of saved) {
      model.push(snapshot);
      if (snapshot.kind === 'Full') {
        const gone = new Set(selectSnapshotsToDelete(model, policy, snapshot.createdOn));
        model = model.filter((entry) => !gone.has(entry));
      }
    }
    const expectedRemaining = model.map((snapshot) => snapshot.name);
    expect(remaining.map((snapshot) => snapshot.name).sort()).toEqual([...expectedRemaining].sort());
    expect(new Set(deleted)).toEqual(
      new Set(saved.map((s) => s.name).filter((name) => !expectedRemaining.includes(name))),
    );
    expect(selectSnapshotsToDelete(remaining, policy, clock.now())).toEqual([]);

    const fulls = remaining.filter((snapshot) => snapshot.kind === 'Full');
    const oldest = Math.min(...fulls.map((full) => full.createdOn.getTime()));
    expect(clock.now().getTime() - oldest).toBeLessThan(5 * 7 * DAY);
    // hourly for a day, daily for a week, weekly for four weeks: far fewer than the 85 taken
    expect(fulls.length).toBeLessThan(15);
    const newestFull = fulls.at(-1) as StoredSnapshot;
    expect(
      remaining
        .filter((snapshot) => snapshot.kind === 'Incr')
        .every((d) => d.startRevision > newestFull.lastRevision),
    ).toBe(true);
    expect(remaining.at(-1)?.kind).toBe('Incr');
    await expectRestorable(store);
  }, 120_000);

  it('keeps the newest N fulls and only the newest full’s deltas with LimitBased', async () => {
    const policy: RetentionPolicy = { policy: 'LimitBased', maxBackups: 3 };
    const { store, saved } = await simulateWeeks(policy, 1, DAY);
    const remaining = await store.list();
    const savedFulls = saved.filter((snapshot) => snapshot.kind === 'Full').map((snapshot) => snapshot.name);
    const fulls = remaining.filter((snapshot) => snapshot.kind === 'Full').map((snapshot) => snapshot.name);
    expect(fulls).toEqual(savedFulls.slice(-3));
    const deltas = remaining.filter((snapshot) => snapshot.kind === 'Incr');
    expect(deltas).toHaveLength(1);
    await expectRestorable(store);
  }, 60_000);
});
