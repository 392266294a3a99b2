import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrellisError } from './errors.js';
import { type RetentionPolicy, selectSnapshotsToDelete } from './retention.js';
import type { Snapshot } from './snapshot.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date(Date.UTC(2026, 10, 26, 12, 30, 0));

/** A snapshot series: each entry is a full or delta created `ageMs` before NOW, revisions ascending. */
function series(entries: Array<{ kind: 'Full' | 'Incr'; ageMs: number }>): Snapshot[] {
  let revision = 1;
  return entries.map(({ kind, ageMs }) => {
    const startRevision = kind === 'Full' ? 0 : revision + 1;
    revision += 10;
    return { kind, startRevision, lastRevision: revision, createdOn: new Date(NOW.getTime() - ageMs) };
  });
}

const snapshotSeries = fc
  .array(
    fc.record({
      kind: fc.constantFrom<'Full' | 'Incr'>('Full', 'Incr'),
      gapMs: fc.integer({ min: 1_000, max: 2 * DAY }),
    }),
    { maxLength: 60 },
  )
  .map((steps) => {
    // Build from oldest to newest so creation time grows with revision.
    let age = steps.reduce((total, step) => total + step.gapMs, 0);
    return series(
      steps.map((step) => {
        age -= step.gapMs;
        return { kind: step.kind, ageMs: age };
      }),
    );
  });

const policies = fc.oneof(
  fc.record({
    policy: fc.constant('Exponential' as const),
    deltaRetentionPeriodMs: fc.integer({ min: 0, max: 3 * DAY }),
  }),
  fc.record({
    policy: fc.constant('LimitBased' as const),
    maxBackups: fc.integer({ min: 1, max: 10 }),
    deltaRetentionPeriodMs: fc.integer({ min: 0, max: 3 * DAY }),
  }),
);

function newestStream(snapshots: Snapshot[]): Snapshot[] {
  const newestFull = snapshots.findLastIndex((snapshot) => snapshot.kind === 'Full');
  return newestFull < 0 ? [] : snapshots.slice(newestFull);
}

describe('selectSnapshotsToDelete (properties)', () => {
  it('never selects the newest full snapshot nor any delta after it', () => {
    fc.assert(
      fc.property(snapshotSeries, policies, (snapshots, policy) => {
        const selected = new Set(selectSnapshotsToDelete(snapshots, policy, NOW));
        for (const kept of newestStream(snapshots)) expect(selected.has(kept)).toBe(false);
      }),
    );
  });

  it('selects nothing new when run again on what remains', () => {
    fc.assert(
      fc.property(snapshotSeries, policies, (snapshots, policy) => {
        const selected = new Set(selectSnapshotsToDelete(snapshots, policy, NOW));
        const remaining = snapshots.filter((snapshot) => !selected.has(snapshot));
        expect(selectSnapshotsToDelete(remaining, policy, NOW)).toEqual([]);
      }),
    );
  });

  it('LimitBased keeps exactly min(N, fulls) full snapshots', () => {
    fc.assert(
      fc.property(snapshotSeries, fc.integer({ min: 1, max: 10 }), (snapshots, maxBackups) => {
        const selected = new Set(
          selectSnapshotsToDelete(snapshots, { policy: 'LimitBased', maxBackups }, NOW),
        );
        const fulls = snapshots.filter((snapshot) => snapshot.kind === 'Full');
        const keptFulls = fulls.filter((snapshot) => !selected.has(snapshot));
        expect(keptFulls).toHaveLength(Math.min(maxBackups, fulls.length));
        expect(keptFulls).toEqual(fulls.slice(-keptFulls.length || fulls.length));
      }),
    );
  });

  it('only ever selects snapshots from the input, in ascending order', () => {
    fc.assert(
      fc.property(snapshotSeries, policies, (snapshots, policy) => {
        const selected = selectSnapshotsToDelete([...snapshots].reverse(), policy, NOW);
        const positions = selected.map((snapshot) => snapshots.indexOf(snapshot));
        expect(positions.every((position) => position >= 0)).toBe(true);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }),
    );
  });
});

describe('selectSnapshotsToDelete (examples)', () => {
  it('Exponential keeps every full of the current hour and the newest per past hour', () => {
    const snapshots = series([
      { kind: 'Full', ageMs: 3 * HOUR + 40 * 60_000 }, // 08:50 — hour bucket 08
      { kind: 'Full', ageMs: 3 * HOUR + 10 * 60_000 }, // 09:20 — hour bucket 09, older
      { kind: 'Full', ageMs: 3 * HOUR }, // 09:30 — hour bucket 09, newest: stays
      { kind: 'Full', ageMs: 20 * 60_000 }, // 12:10 — current hour
      { kind: 'Full', ageMs: 10 * 60_000 }, // 12:20 — current hour, newest
    ]);
    const selected = selectSnapshotsToDelete(snapshots, { policy: 'Exponential' }, NOW);
    expect(selected).toEqual([snapshots[1]]);
  });

  it('Exponential keeps the newest full per day for 7 days, per week up to 5 weeks, and drops older', () => {
    const snapshots = series([
      { kind: 'Full', ageMs: 40 * DAY }, // older than 5 weeks: goes
      { kind: 'Full', ageMs: 20 * DAY + HOUR }, // same week window as the next: goes
      { kind: 'Full', ageMs: 20 * DAY }, // newest of its week: stays
      { kind: 'Full', ageMs: 3 * DAY + 2 * HOUR }, // older of the day: goes (unless the day window splits)
      { kind: 'Full', ageMs: 3 * DAY + HOUR }, // newest of that day: stays
      { kind: 'Full', ageMs: 0 },
    ]);
    const selected = selectSnapshotsToDelete(snapshots, { policy: 'Exponential' }, NOW);
    expect(selected).toContain(snapshots[0]);
    expect(selected).toContain(snapshots[3]);
    expect(selected).not.toContain(snapshots[2]);
    expect(selected).not.toContain(snapshots[4]);
    expect(selected).not.toContain(snapshots[5]);
  });

  it('keeps the newest full even when it is older than 5 weeks', () => {
    const snapshots = series([
      { kind: 'Full', ageMs: 60 * DAY },
      { kind: 'Incr', ageMs: 59 * DAY },
    ]);
    expect(selectSnapshotsToDelete(snapshots, { policy: 'Exponential' }, NOW)).toEqual([]);
  });

  it('deletes deltas of older streams unless inside the delta retention period', () => {
    const snapshots = series([
      { kind: 'Full', ageMs: 3 * HOUR },
      { kind: 'Incr', ageMs: 2 * HOUR },
      { kind: 'Incr', ageMs: 30 * 60_000 },
      { kind: 'Full', ageMs: 20 * 60_000 },
      { kind: 'Incr', ageMs: 10 * 60_000 },
    ]);
    expect(selectSnapshotsToDelete(snapshots, { policy: 'LimitBased' }, NOW)).toEqual([
      snapshots[1],
      snapshots[2],
    ]);
    expect(
      selectSnapshotsToDelete(snapshots, { policy: 'LimitBased', deltaRetentionPeriodMs: HOUR }, NOW),
    ).toEqual([snapshots[1]]);
  });

  it('collects a delta that a newer full at the same revision covers', () => {
    const full = {
      kind: 'Full' as const,
      startRevision: 0,
      lastRevision: 10,
      createdOn: new Date(NOW.getTime() - HOUR),
    };
    const delta = {
      kind: 'Incr' as const,
      startRevision: 11,
      lastRevision: 20,
      createdOn: new Date(NOW.getTime() - 40 * 60_000),
    };
    const newest = {
      kind: 'Full' as const,
      startRevision: 0,
      lastRevision: 20,
      createdOn: new Date(NOW.getTime() - 30 * 60_000),
    };
    expect(selectSnapshotsToDelete([newest, delta, full], { policy: 'LimitBased' }, NOW)).toEqual([delta]);
  });

  it('LimitBased defaults to 7 fulls', () => {
    const snapshots = series(
      Array.from({ length: 10 }, (_, index) => ({ kind: 'Full' as const, ageMs: (10 - index) * DAY })),
    );
    expect(selectSnapshotsToDelete(snapshots, { policy: 'LimitBased' }, NOW)).toEqual(snapshots.slice(0, 3));
  });

  it('rejects an invalid policy with field paths', () => {
    const bad = { policy: 'LimitBased', maxBackups: 0, deltaRetentionPeriodMs: -1 } as RetentionPolicy;
    try {
      selectSnapshotsToDelete([], bad, NOW);
      expect.unreachable();
    } catch (error) {
      expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
      expect((error as TrellisError).issues.map((issue) => issue.path)).toEqual([
        'deltaRetentionPeriodMs',
        'maxBackups',
      ]);
    }
  });
});
