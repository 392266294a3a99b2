import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BackupStore,
  compareSnapshots,
  formatSnapshotName,
  isSnapshotName,
  notFound,
  parseSnapshotName,
  type Snapshot,
  type StoredSnapshot,
} from '@trellis/core';

/** A small directory-backed BackupStore for tests: temp file + rename, and fault hooks. */
export interface TestStore extends BackupStore {
  readonly directory: string;
  /** Makes the next saves fail after this many bytes (undefined: never). */
  failSavesAfterBytes: number | undefined;
  /** Slows saves down: waits this long per chunk written. */
  delayPerChunkMs: number;
  /** Called with the running total of bytes as a save writes them. */
  onSaveProgress: ((bytes: number) => void) | undefined;
  /** Path of a stored snapshot's file. */
  pathOf(name: string): string;
}

export async function createDirectoryStore(directory: string): Promise<TestStore> {
  const snapshots = join(directory, 'v2');
  await mkdir(snapshots, { recursive: true });
  const store: TestStore = {
    specificationVersion: 'v1',
    provider: 'test-directory',
    directory,
    failSavesAfterBytes: undefined,
    delayPerChunkMs: 0,
    onSaveProgress: undefined,
    pathOf: (name) => join(snapshots, name),
    async save(snapshot: Snapshot, data) {
      const name = formatSnapshotName(snapshot);
      const temporary = join(directory, `.partial-${name}-${process.hrtime.bigint()}`);
      const limit = store.failSavesAfterBytes;
      let written = 0;
      const guard = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          written += chunk.length;
          store.onSaveProgress?.(written);
          if (limit !== undefined && written > limit) callback(new Error('simulated store failure'));
          else if (store.delayPerChunkMs > 0) setTimeout(() => callback(null, chunk), store.delayPerChunkMs);
          else callback(null, chunk);
        },
      });
      try {
        const source = data instanceof Readable ? data : Readable.from(data as AsyncIterable<Uint8Array>);
        await pipeline(source, guard, createWriteStream(temporary));
        await rename(temporary, join(snapshots, name));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      const info = await stat(join(snapshots, name));
      return { ...parseSnapshotName(name), key: `v2/${name}`, size: info.size };
    },
    async fetch(snapshot) {
      const path = join(snapshots, formatSnapshotName(snapshot));
      await stat(path).catch(() => {
        throw notFound(`snapshot ${formatSnapshotName(snapshot)} not found`);
      });
      return createReadStream(path);
    },
    async list() {
      const names = (await readdir(snapshots)).filter(isSnapshotName);
      const listed: StoredSnapshot[] = [];
      for (const name of names) {
        const info = await stat(join(snapshots, name));
        listed.push({ ...parseSnapshotName(name), key: `v2/${name}`, size: info.size });
      }
      return listed.sort(compareSnapshots);
    },
    async delete(snapshot) {
      await rm(join(snapshots, formatSnapshotName(snapshot)), { force: true });
    },
  };
  return store;
}
