import { existsSync } from 'node:fs';
import { cp, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Moves a data directory's write-ahead log to memory (`/dev/shm`) while the restore etcd
 * applies deltas, so each source revision's transaction does not wait for a disk fsync; the
 * log moves back, fsynced, when done. Undefined where there is no `/dev/shm`.
 */
export async function moveWalToMemory(
  dataDirectory: string,
): Promise<{ walDirectory: string; moveBack(): Promise<void>; discard(): Promise<void> } | undefined> {
  const original = join(dataDirectory, 'member', 'wal');
  if (!existsSync('/dev/shm') || !existsSync(original)) return undefined;
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
