import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyWalDirectory } from './temporary-wal.js';

const MIB = 1024 * 1024;
const work = await mkdtemp(join(tmpdir(), 'trellis-wal-copy-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** A segment of `size` zeros whose data (non-zero bytes) ends at `end`. */
function segment(size: number, end: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = Math.max(0, end - 3000); index < end; index++) bytes[index] = (index % 251) + 1;
  if (end > 2) bytes[end - 2] = 0; // a zero inside the data is data
  return bytes;
}

describe('copyWalDirectory', () => {
  it('copies each segment byte for byte, its data ending anywhere relative to the read blocks', async () => {
    const from = join(work, 'from');
    const to = join(work, 'to');
    const size = 3 * MIB + 17;
    const ends = [0, 1, MIB - 1, MIB, MIB + 1, 2 * MIB, size - 1, size];
    await rm(from, { recursive: true, force: true });
    await mkdir(from, { recursive: true });
    for (const [index, end] of ends.entries()) {
      await writeFile(join(from, `${String(index).padStart(16, '0')}-0.wal`), segment(size, end));
    }
    await writeFile(join(from, '0.tmp'), Buffer.alloc(1024, 1));
    await copyWalDirectory(from, to);
    expect((await readdir(to)).sort()).toEqual(
      (await readdir(from)).filter((name) => name.endsWith('.wal')).sort(),
    );
    for (const [index, end] of ends.entries()) {
      const name = `${String(index).padStart(16, '0')}-0.wal`;
      const copied = await readFile(join(to, name));
      expect(copied.length, name).toBe(size);
      expect(copied.equals(segment(size, end)), `segment whose data ends at ${end}`).toBe(true);
    }
  });
});
