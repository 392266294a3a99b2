import { type FieldIssue, invalidArgument } from './errors.js';
import type { Snapshot } from './snapshot.js';
import { compareSnapshots } from './snapshot-name.js';

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

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Default of {@link LimitBasedRetentionPolicy.maxBackups}. */
export const DEFAULT_MAX_BACKUPS = 7;

function validatePolicy(policy: RetentionPolicy): void {
  const period = policy.deltaRetentionPeriodMs ?? 0;
  const issues: FieldIssue[] = [];
  if (!Number.isFinite(period) || period < 0) {
    issues.push({ path: 'deltaRetentionPeriodMs', message: 'must be a non-negative number of milliseconds' });
  }
  if (policy.policy === 'LimitBased') {
    const max = policy.maxBackups ?? DEFAULT_MAX_BACKUPS;
    if (!Number.isInteger(max) || max < 1)
      issues.push({ path: 'maxBackups', message: 'must be an integer >= 1' });
  } else if (policy.policy !== 'Exponential') {
    issues.push({ path: 'policy', message: 'must be Exponential or LimitBased' });
  }
  if (issues.length > 0) throw invalidArgument('invalid retention policy', issues);
}

/**
 * The bucket a full snapshot falls in under the Exponential policy, or `keep` for the current
 * hour, or `drop` when older than 5 weeks. Within a bucket only the newest full stays.
 */
function exponentialBucket(createdOn: number, now: number): string {
  const currentHour = Math.floor(now / HOUR) * HOUR;
  if (createdOn >= currentHour) return 'keep';
  const age = now - createdOn;
  if (age < DAY) return `hour:${Math.floor(createdOn / HOUR)}`;
  if (age < WEEK) return `day:${Math.floor(createdOn / DAY)}`;
  if (age < 5 * WEEK) return `week:${Math.floor(createdOn / WEEK)}`;
  return 'drop';
}

/**
 * The snapshots a policy deletes, as a pure function of the list and the current time
 * (etcd-backup-restore's garbage collection, made idempotent by bucketing fulls into time windows).
 *
 * - The newest full snapshot and every delta after it are never selected.
 * - A delta of an older full is selected unless it is younger than `deltaRetentionPeriodMs`.
 * - `Exponential`: every full of the current hour stays; of older fulls, the newest of each
 *   hour (past 24 h), day (past 7 days) and week (past 5 weeks) stays; older fulls go.
 * - `LimitBased`: the newest `maxBackups` fulls stay.
 * - Deltas older than the first full, and lists without any full, are left alone.
 *
 * Selecting again on what remains selects nothing (the policy is idempotent).
 * Throws `InvalidArgument` for an invalid policy.
 */
export function selectSnapshotsToDelete<S extends Snapshot>(
  snapshots: readonly S[],
  policy: RetentionPolicy,
  now: Date,
): S[] {
  validatePolicy(policy);
  const sorted = [...snapshots].sort(compareSnapshots);
  const fullIndexes = sorted.flatMap((snapshot, index) => (snapshot.kind === 'Full' ? [index] : []));
  const newestFullIndex = fullIndexes.at(-1);
  if (newestFullIndex === undefined) return [];

  const nowMs = now.getTime();
  const deltaRetention = policy.deltaRetentionPeriodMs ?? 0;
  const selected = new Set<S>();

  // Deltas that follow an older full (not the newest stream).
  const firstFullIndex = fullIndexes[0] ?? 0;
  for (let index = firstFullIndex; index < newestFullIndex; index++) {
    const snapshot = sorted[index]!;
    if (snapshot.kind === 'Incr' && nowMs - snapshot.createdOn.getTime() >= deltaRetention)
      selected.add(snapshot);
  }

  const olderFulls = fullIndexes.slice(0, -1).map((index) => sorted[index]!);
  if (policy.policy === 'LimitBased') {
    const max = policy.maxBackups ?? DEFAULT_MAX_BACKUPS;
    for (const full of olderFulls.slice(0, Math.max(0, olderFulls.length - (max - 1)))) selected.add(full);
  } else {
    // Fulls come in ascending revision order, so a later full in a bucket replaces the earlier.
    const newestInBucket = new Map<string, S>();
    const newestFull = sorted[newestFullIndex]!;
    for (const full of [...olderFulls, newestFull]) {
      const bucket = exponentialBucket(full.createdOn.getTime(), nowMs);
      if (bucket === 'keep') continue;
      if (bucket === 'drop') {
        if (full !== newestFull) selected.add(full);
        continue;
      }
      const earlier = newestInBucket.get(bucket);
      if (earlier) selected.add(earlier);
      newestInBucket.set(bucket, full);
    }
  }
  return sorted.filter((snapshot) => selected.has(snapshot));
}
