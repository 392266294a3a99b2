import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotScratchPlaces } from './scratch-space.js';

const dataDirectory = join(tmpdir(), 'trellis-scratch-test', 'data');
const tmpFree = await statfs(tmpdir()).then((space) => space.bavail * space.bsize);

describe('snapshotScratchPlaces', () => {
  it('uses only the temporary directory a caller names', async () => {
    expect(await snapshotScratchPlaces(dataDirectory, 1024, '/somewhere/else')).toEqual(['/somewhere/else']);
  });

  it('sends a snapshot of unknown size straight to os.tmpdir()', async () => {
    expect(await snapshotScratchPlaces(dataDirectory, undefined, undefined)).toEqual([tmpdir()]);
  });

  it('tries memory first, then beside the data directory, os.tmpdir() last', async () => {
    // The parent need not exist: it is skipped then (etcdctl would create it).
    const missing = await snapshotScratchPlaces(join(tmpdir(), 'scratch-parent', 'data'), 1024, undefined);
    expect(missing).not.toContain(join(tmpdir(), 'scratch-parent'));
    expect(missing.at(-1)).toBe(tmpdir());
    const parent = await mkdtemp(join(tmpdir(), 'trellis-scratch-'));
    try {
      const places = await snapshotScratchPlaces(join(parent, 'data'), 1024, undefined);
      expect(places.at(-1)).toBe(tmpdir());
      if (places.includes('/dev/shm')) expect(places[0]).toBe('/dev/shm');
      if (tmpFree < 2 * 1024 ** 3) return; // no room here for the 1 GiB the rule keeps spare
      expect(places.indexOf(parent)).toBeGreaterThanOrEqual(0);
      expect(places.indexOf(parent)).toBeLessThan(places.indexOf(tmpdir()));
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('skips the data directory’s filesystem when the snapshot would not fit twice', async () => {
    const huge = tmpFree; // decompresses to ten times the free space
    const places = await snapshotScratchPlaces(join(tmpdir(), 'data'), huge, undefined);
    expect(places).toEqual([tmpdir()]);
  });
});
