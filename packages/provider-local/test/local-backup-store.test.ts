import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Snapshot, TrellisError } from '@trellis/core';
import { collectBytes, randomBytesSource } from '@trellis/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../src/index.js';

const snapshot = (lastRevision: number): Snapshot => ({
  kind: 'Full',
  startRevision: 0,
  lastRevision,
  createdOn: new Date(1_700_000_000_000 + lastRevision * 1000),
});

describe('local backup store', () => {
  let root: string;
  let directory: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(tmpdir(), 'trellis-local-backup-'));
    directory = path.join(root, 'backups');
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));
  const store = () =>
    createLocalProvider({ stateDirectory: path.join(root, 'state') }).backupStore({
      directory,
      prefix: 'etcd',
    });

  it('removes the temporary file of a save killed with SIGKILL when the store is next opened', async () => {
    const entry = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
    const script = `
      import { createLocalProvider } from ${JSON.stringify(entry)};
      const store = createLocalProvider({ stateDirectory: ${JSON.stringify(path.join(root, 'state'))} })
        .backupStore({ directory: ${JSON.stringify(directory)}, prefix: 'etcd' });
      async function* endless() {
        for (;;) { yield Buffer.alloc(64 * 1024, 7); await new Promise((resolve) => setTimeout(resolve, 10)); }
      }
      await store.save({ kind: 'Full', startRevision: 0, lastRevision: 99, createdOn: new Date(1_700_000_099_000) }, endless());
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const snapshots = path.join(directory, 'etcd', 'v2');
    const temporaries = async () =>
      (await fs.readdir(snapshots).catch(() => [] as string[])).filter((name) => name.endsWith('.tmp'));
    const deadline = Date.now() + 20_000;
    while ((await temporaries()).length === 0) {
      if (Date.now() > deadline) throw new Error('the child never started writing');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await exited;
    expect(await temporaries()).toHaveLength(1);
    expect((await store().list()).map((entry) => entry.lastRevision)).not.toContain(99);
    expect(await temporaries()).toEqual([]);
  });

  it('keeps the temporary file of a save still running', async () => {
    const snapshots = path.join(directory, 'etcd', 'v2');
    await fs.mkdir(snapshots, { recursive: true });
    const live = path.join(snapshots, `.Full-00000000-00000098-1700000098.${process.pid}.0123456789ab.tmp`);
    await fs.writeFile(live, 'in progress');
    await store().list();
    expect(await fs.readFile(live, 'utf8')).toBe('in progress');
    await fs.rm(live);
  });

  it("stores snapshots under etcd-backup-restore's layout, checksums outside the prefix", async () => {
    const stored = await store().save(snapshot(1), randomBytesSource(1000, { seed: 1 }));
    expect(stored.key).toBe('etcd/v2/Full-00000000-00000001-1700000001');
    expect(stored.size).toBe(1000);
    const file = path.join(directory, stored.key);
    expect((await fs.stat(file)).size).toBe(1000);
    const line = await fs.readFile(
      path.join(directory, '.trellis-checksums', 'etcd', `${stored.name}.sha256`),
      'utf8',
    );
    expect(`sha256:${line.slice(0, 64)}`).toBe(stored.checksum);
    expect(line.trim().endsWith(stored.name)).toBe(true);
    // etcd-backup-restore reads every object under the prefix as a snapshot: only snapshots are there.
    expect(await fs.readdir(path.join(directory, 'etcd'), { recursive: true })).toEqual([
      'v2',
      'v2/Full-00000000-00000001-1700000001',
    ]);
    expect((await store().list()).map((entry) => entry.key)).toEqual([stored.key]);
    await store().delete(snapshot(1));
    expect(await fs.readdir(path.dirname(file))).toEqual([]);
    expect(await fs.readdir(path.join(directory, '.trellis-checksums', 'etcd'))).toEqual([]);
  });

  it('still verifies with a checksum an earlier version wrote beside the snapshot', async () => {
    const stored = await store().save(snapshot(5), randomBytesSource(4096, { seed: 5 }));
    const file = path.join(directory, stored.key);
    const moved = path.join(directory, '.trellis-checksums', 'etcd', `${stored.name}.sha256`);
    await fs.rename(moved, `${file}.sha256`);
    expect((await store().list()).find((entry) => entry.name === stored.name)?.checksum).toBe(
      stored.checksum,
    );
    const handle = await fs.open(file, 'r+');
    await handle.write(Buffer.from('x'), 0, 1, 100);
    await handle.close();
    await expect(collectBytes(await store().fetch(snapshot(5)))).rejects.toThrow(/checksum mismatch/);
    await store().delete(snapshot(5));
    expect(await fs.readdir(path.dirname(file))).toEqual([]);
  });

  it('lists only complete snapshots: not a chunk directory named like one', async () => {
    const chunks = path.join(directory, 'etcd', 'v2', 'Full-00000000-00000077-1700000077.gz');
    await fs.mkdir(chunks, { recursive: true });
    await fs.writeFile(path.join(chunks, '0000000001'), 'chunk');
    const stored = await store().save(snapshot(6), randomBytesSource(10, { seed: 6 }));
    expect((await store().list()).map((entry) => entry.name)).toEqual([stored.name]);
    expect((await store().list({ includeAll: true })).map((entry) => entry.name)).toEqual([stored.name]);
    await store().delete(snapshot(6));
    await fs.rm(chunks, { recursive: true });
  });

  it('lists snapshots of other layouts (v1/) with includeAll only', async () => {
    const v1 = path.join(directory, 'etcd', 'v1', 'Backup-1700000010');
    await fs.mkdir(v1, { recursive: true });
    await fs.writeFile(path.join(v1, 'Full-00000000-00000010-1700000010'), 'v1 full');
    const stored = await store().save(snapshot(7), randomBytesSource(10, { seed: 7 }));
    expect((await store().list()).map((entry) => entry.key)).toEqual([stored.key]);
    expect((await store().list({ includeAll: true })).map((entry) => entry.key)).toEqual([
      stored.key,
      'etcd/v1/Backup-1700000010/Full-00000000-00000010-1700000010',
    ]);
    await store().delete(snapshot(7));
    await fs.rm(path.join(directory, 'etcd', 'v1'), { recursive: true });
  });

  it('errors the fetched stream, naming the snapshot, when the stored bytes were tampered with', async () => {
    const stored = await store().save(snapshot(2), randomBytesSource(64 * 1024, { seed: 2 }));
    const file = path.join(directory, stored.key);
    const handle = await fs.open(file, 'r+');
    await handle.write(Buffer.from('tampered'), 0, 8, 30_000);
    await handle.close();
    const error = await collectBytes(await store().fetch(snapshot(2))).catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Internal')).toBe(true);
    expect((error as Error).message).toMatch(
      /checksum mismatch for snapshot etcd\/v2\/Full-00000000-00000002-1700000002/,
    );
    await store().delete(snapshot(2));
  });

  it('reports a garbled checksum file instead of skipping verification', async () => {
    const stored = await store().save(snapshot(3), randomBytesSource(10, { seed: 3 }));
    const checksumFile = path.join(directory, '.trellis-checksums', 'etcd', `${stored.name}.sha256`);
    await fs.writeFile(checksumFile, 'garbage\n');
    await expect(store().fetch(snapshot(3))).rejects.toThrow(checksumFile);
    expect(await fs.readFile(checksumFile, 'utf8')).toBe('garbage\n');
    await store().delete(snapshot(3));
  });

  it('leaves no temporary file behind when the source fails, and never lists one while saving', async () => {
    const snapshotDirectory = path.join(directory, 'etcd', 'v2');
    const seenWhileSaving: string[] = [];
    async function* watched() {
      for (let index = 0; index < 4; index += 1) {
        yield Buffer.alloc(1024, index);
        await new Promise((resolve) => setTimeout(resolve, 20));
        seenWhileSaving.push(...(await fs.readdir(snapshotDirectory)));
        expect((await store().list()).length).toBe(0);
      }
      throw new Error('source failed midway');
    }
    await expect(store().save(snapshot(4), watched())).rejects.toSatisfy((error) =>
      TrellisError.isInstance(error),
    );
    expect(seenWhileSaving.some((entry) => entry.startsWith('.') && entry.endsWith('.tmp'))).toBe(true);
    expect(await fs.readdir(snapshotDirectory)).toEqual([]);
  });

  it('rejects a prefix that would leave the directory, naming the field', () => {
    expect(() => createLocalProvider().backupStore({ directory, prefix: '../outside' })).toThrow(
      expect.objectContaining({
        code: 'InvalidArgument',
        issues: [expect.objectContaining({ path: 'prefix' })],
      }),
    );
  });
});
