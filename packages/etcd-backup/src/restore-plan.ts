import { compareSnapshots, notFound, type StoredSnapshot } from '@trellis/core';
import { RevisionGapError } from './errors.js';

/** Where a restore stops. Both bounds apply when both are given. */
export interface RestoreTarget {
  /** Restore the state at this revision (inclusive). @default the newest */
  revision?: number;
  /** Use only snapshots created at or before this time. @default no bound */
  time?: Date;
}

/** The snapshots a restore uses, in the order they apply. */
export interface RestorePlan {
  /** The base: the newest full snapshot within the target. */
  full: StoredSnapshot;
  /** Deltas after the base, contiguous, ascending by revision. */
  deltas: StoredSnapshot[];
  /** The revision the restored etcd must end at, when the snapshots determine it. */
  lastRevision: number;
}

/**
 * Picks the newest full snapshot within the target and every delta after it, and checks that
 * the deltas' revisions are contiguous. Rejects with {@link RevisionGapError} naming the missing
 * revisions and the snapshots around them, or `NotFound` when no full snapshot qualifies.
 */
export function planRestore(snapshots: readonly StoredSnapshot[], target: RestoreTarget = {}): RestorePlan {
  const inTime = snapshots.filter(
    (snapshot) => !target.time || snapshot.createdOn.getTime() <= target.time.getTime(),
  );
  const fulls = inTime
    .filter((snapshot) => snapshot.kind === 'Full')
    .filter((snapshot) => target.revision === undefined || snapshot.lastRevision <= target.revision)
    .sort(compareSnapshots);
  const full = fulls.at(-1);
  if (!full) {
    throw notFound(
      `no full snapshot to restore from${target.revision === undefined ? '' : ` at or before revision ${target.revision}`}${
        target.time ? ` created by ${target.time.toISOString()}` : ''
      }`,
      { operation: 'restore' },
    );
  }
  const candidates = inTime
    .filter((snapshot) => snapshot.kind === 'Incr' && snapshot.lastRevision > full.lastRevision)
    .filter((snapshot) => target.revision === undefined || snapshot.startRevision <= target.revision)
    .sort((a, b) => a.startRevision - b.startRevision || a.lastRevision - b.lastRevision);
  const deltas: StoredSnapshot[] = [];
  let covered = full.lastRevision;
  let previous = full;
  for (const delta of candidates) {
    if (delta.lastRevision <= covered) continue;
    if (delta.startRevision > covered + 1) {
      throw new RevisionGapError(covered + 1, delta.startRevision - 1, previous.name, delta.name);
    }
    deltas.push(delta);
    covered = delta.lastRevision;
    previous = delta;
  }
  if (target.revision !== undefined && target.revision > covered) {
    throw notFound(
      `the snapshots reach revision ${covered} only; revision ${target.revision} cannot be restored`,
      {
        operation: 'restore',
      },
    );
  }
  return { full, deltas, lastRevision: target.revision ?? covered };
}
