import type { Snapshot } from './snapshot.js';

/**
 * etcd-backup-restore's `Exponential` garbage collection policy.
 * - The newest full snapshot and every delta after it always stay.
 * - Deltas younger than `deltaRetentionPeriodMs` stay (default 0: older streams' deltas go).
 * - Every full of the current hour stays; the newest full of each hour for the past 24 h,
 *   of each day for the past 7 days and of each week for the past 4 weeks stays.
 * - Fulls older than 5 weeks go.
 */
export interface ExponentialRetentionPolicy {
  readonly policy: 'Exponential';
  /** Deltas younger than this stay. @default 0 */
  readonly deltaRetentionPeriodMs?: number;
}

/**
 * etcd-backup-restore's `LimitBased` garbage collection policy.
 * - The newest full snapshot and every delta after it always stay.
 * - Deltas younger than `deltaRetentionPeriodMs` stay.
 * - The newest `maxBackups` fulls stay.
 */
export interface LimitBasedRetentionPolicy {
  readonly policy: 'LimitBased';
  /** Fulls to keep. @default 7 */
  readonly maxBackups?: number;
  /** Deltas younger than this stay. @default 0 */
  readonly deltaRetentionPeriodMs?: number;
}

/** A snapshot retention (garbage collection) policy. */
export type RetentionPolicy = ExponentialRetentionPolicy | LimitBasedRetentionPolicy;

/**
 * The snapshots a policy deletes, as a pure function of the list and the current time.
 * Never selects the newest full snapshot nor any delta after it. Selecting again on the
 * remainder selects nothing new.
 */
export function selectSnapshotsToDelete<S extends Snapshot>(
  snapshots: readonly S[],
  policy: RetentionPolicy,
  now: Date,
): S[] {
  void snapshots;
  void policy;
  void now;
  throw new Error('selectSnapshotsToDelete: not implemented yet');
}
