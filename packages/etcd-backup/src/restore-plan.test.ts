import { parseSnapshotName, type StoredSnapshot } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { RevisionGapError } from './errors.js';
import { planRestore } from './restore-plan.js';

const stored = (name: string): StoredSnapshot => ({ ...parseSnapshotName(name), key: `v2/${name}` });
const names = (list: StoredSnapshot[]) => list.map((snapshot) => snapshot.name);

const history = [
  'Full-00000000-00000010-1000.gz',
  'Incr-00000011-00000015-1020.gz',
  'Full-00000000-00000020-2000.gz',
  'Incr-00000021-00000030-2020.gz',
  'Incr-00000031-00000040-2040.gz',
  'Incr-00000041-00000041-2060.gz',
].map(stored);

describe('planRestore', () => {
  it('takes the newest full and every delta after it', () => {
    const plan = planRestore(history);
    expect(plan.full.name).toBe('Full-00000000-00000020-2000.gz');
    expect(names(plan.deltas)).toEqual([
      'Incr-00000021-00000030-2020.gz',
      'Incr-00000031-00000040-2040.gz',
      'Incr-00000041-00000041-2060.gz',
    ]);
    expect(plan.lastRevision).toBe(41);
  });

  it('stops at a target revision or time', () => {
    const byRevision = planRestore(history, { revision: 35 });
    expect(names(byRevision.deltas)).toEqual([
      'Incr-00000021-00000030-2020.gz',
      'Incr-00000031-00000040-2040.gz',
    ]);
    expect(byRevision.lastRevision).toBe(35);
    const earlier = planRestore(history, { revision: 14 });
    expect(earlier.full.name).toBe('Full-00000000-00000010-1000.gz');
    const byTime = planRestore(history, { time: new Date(2030 * 1000) });
    expect(names(byTime.deltas)).toEqual(['Incr-00000021-00000030-2020.gz']);
    expect(byTime.lastRevision).toBe(30);
  });

  it('names the missing revisions and the snapshots around a gap', () => {
    const withGap = history.filter((snapshot) => snapshot.name !== 'Incr-00000031-00000040-2040.gz');
    const failure = (() => {
      try {
        planRestore(withGap);
      } catch (error) {
        return error;
      }
    })() as RevisionGapError;
    expect(failure).toBeInstanceOf(RevisionGapError);
    expect([failure.missingFrom, failure.missingTo]).toEqual([31, 40]);
    expect(failure.message).toContain('Incr-00000021-00000030-2020.gz');
    expect(failure.message).toContain('Incr-00000041-00000041-2060.gz');
    expect(failure.code).toBe('NotFound');
  });

  it('refuses a revision beyond the snapshots and a store without a full snapshot', () => {
    expect(() => planRestore(history, { revision: 99 })).toThrow(/reach revision 41/);
    expect(() => planRestore(history.filter((snapshot) => snapshot.kind === 'Incr'))).toThrow(
      /no full snapshot/,
    );
  });
});
