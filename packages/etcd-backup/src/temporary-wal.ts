import { type FileHandle, mkdir, mkdtemp, open, readdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';

const MINIMUM_FREE_BYTES = 1024 * 1024 * 1024;

/**
 * `/dev/shm` when it has room for `bytes` with half of its free space and 1 GiB to spare, else
 * undefined. A temporary file there never competes for the disk with what is written and fsynced
 * beside it (a restored data directory).
 */
export async function memoryDirectoryWithRoom(bytes: number): Promise<string | undefined> {
  if (!Number.isFinite(bytes)) return undefined;
  return bytes + MINIMUM_FREE_BYTES <= (await memoryFreeBytes()) / 2 ? '/dev/shm' : undefined;
}

/** Free bytes of the filesystem holding `directory` (0 where it does not exist). */
export async function freeBytes(directory: string): Promise<number> {
  const space = await statfs(directory).catch(() => undefined);
  return space ? space.bavail * space.bsize : 0;
}

/** Free bytes of `/dev/shm` (0 where there is none). */
const memoryFreeBytes = () => freeBytes('/dev/shm');

const BLOCK_BYTES = 1024 * 1024;

/**
 * Copies a WAL directory's segments (`*.wal`). etcd preallocates each segment to 64 MiB of zeros
 * and keeps a spare one (`*.tmp`, created again on start): only the bytes up to a segment's last
 * non-zero one are copied, and the copy is extended to the same length with zeros — the same
 * bytes, without writing (and fsyncing) 64 MiB of zeros. The spares are left.
 */
export async function copyWalDirectory(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const name of await readdir(from)) {
    if (!name.endsWith('.wal')) continue;
    const source = await open(join(from, name), 'r');
    const target = await open(join(to, name), 'w', 0o600);
    try {
      const { size } = await source.stat();
      const used = await lastNonZeroEnd(source, size);
      const buffer = Buffer.allocUnsafe(BLOCK_BYTES);
      for (let offset = 0; offset < used; ) {
        const { bytesRead } = await source.read(buffer, 0, Math.min(BLOCK_BYTES, used - offset), offset);
        if (bytesRead === 0) break;
        await target.write(buffer, 0, bytesRead, offset);
        offset += bytesRead;
      }
      await target.truncate(size);
      await target.sync();
    } finally {
      await source.close();
      await target.close();
    }
  }
}

/** The end of the data in a file: one past its last non-zero byte (read from the end, by blocks). */
async function lastNonZeroEnd(file: FileHandle, size: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  const zeros = Buffer.alloc(BLOCK_BYTES);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - BLOCK_BYTES);
    const { bytesRead } = await file.read(buffer, 0, end - start, start);
    // Most of a segment is zeros: compare whole blocks (memcmp), look at bytes in the last one only.
    if (!buffer.subarray(0, bytesRead).equals(zeros.subarray(0, bytesRead))) {
      for (let index = bytesRead - 1; index >= 0; index--) if (buffer[index] !== 0) return start + index + 1;
    }
    end = start;
  }
  return 0;
}

/**
 * A place in memory (`/dev/shm`) for the write-ahead log of a data directory about to be restored
 * (`--wal-dir` of the restore and of the restore etcd), so each source revision's transaction does
 * not wait for a disk fsync; the log moves into the data directory, fsynced, when done. Undefined
 * without a `/dev/shm` with 1 GiB free.
 */
export async function memoryWal(
  dataDirectory: string,
): Promise<{ walDirectory: string; moveBack(): Promise<void>; discard(): Promise<void> } | undefined> {
  const original = join(dataDirectory, 'member', 'wal');
  // etcd preallocates 64 MiB WAL segments; containers often give /dev/shm only 64 MiB.
  if ((await memoryFreeBytes()) < MINIMUM_FREE_BYTES) return undefined;
  const scratch = await mkdtemp('/dev/shm/trellis-restore-wal-');
  const walDirectory = join(scratch, 'wal');
  return {
    walDirectory,
    async moveBack() {
      await copyWalDirectory(walDirectory, original);
      const directory = await open(original, 'r');
      await directory.sync();
      await directory.close();
      await rm(scratch, { recursive: true, force: true });
    },
    discard: () => rm(scratch, { recursive: true, force: true }),
  };
}
