import { existsSync } from 'node:fs';
import { cp, mkdtemp, open, readdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';

const MINIMUM_FREE_BYTES = 1024 * 1024 * 1024;

/**
 * `/dev/shm` when it has room for `bytes` with half of its free space and 1 GiB to spare, else
 * undefined. A temporary file there never competes for the disk with what is written and fsynced
 * beside it (a restored data directory).
 */
export async function memoryDirectoryWithRoom(bytes: number): Promise<string | undefined> {
  if (!Number.isFinite(bytes) || !existsSync('/dev/shm')) return undefined;
  const space = await statfs('/dev/shm').catch(() => undefined);
  const free = space ? space.bavail * space.bsize : 0;
  return bytes + MINIMUM_FREE_BYTES <= free / 2 ? '/dev/shm' : undefined;
}

/**
 * Moves a data directory's write-ahead log to memory (`/dev/shm`) while the restore etcd
 * applies deltas, so each source revision's transaction does not wait for a disk fsync; the
 * log moves back, fsynced, when done. Undefined without a `/dev/shm` with 1 GiB free.
 */
export async function moveWalToMemory(
  dataDirectory: string,
): Promise<{ walDirectory: string; moveBack(): Promise<void>; discard(): Promise<void> } | undefined> {
  const original = join(dataDirectory, 'member', 'wal');
  if (!existsSync('/dev/shm') || !existsSync(original)) return undefined;
  // etcd preallocates 64 MiB WAL segments; containers often give /dev/shm only 64 MiB.
  const space = await statfs('/dev/shm').catch(() => undefined);
  if (!space || space.bavail * space.bsize < MINIMUM_FREE_BYTES) return undefined;
  const scratch = await mkdtemp('/dev/shm/trellis-restore-wal-');
  const walDirectory = join(scratch, 'wal');
  await cp(original, walDirectory, { recursive: true });
  await rm(original, { recursive: true, force: true });
  return {
    walDirectory,
    async moveBack() {
      await cp(walDirectory, original, { recursive: true });
      for (const name of await readdir(original)) {
        const file = await open(join(original, name), 'r+');
        await file.sync();
        await file.close();
      }
      const directory = await open(original, 'r');
      await directory.sync();
      await directory.close();
      await rm(scratch, { recursive: true, force: true });
    },
    discard: () => rm(scratch, { recursive: true, force: true }),
  };
}
