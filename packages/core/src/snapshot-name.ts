import { invalidArgument } from './errors.js';
import type { CompressionSuffix, Snapshot, SnapshotKind } from './snapshot.js';

const NAME_PATTERN = /^(Full|Incr)-(\d{8,})-(\d{8,})-(\d+)(\.gz|\.zlib|\.Z)?(\.final)?$/;

/** The directory etcd-backup-restore's v2 layout puts snapshots in, under the prefix. */
export const SNAPSHOT_DIRECTORY = 'v2';

function pad(revision: number): string {
  return String(revision).padStart(8, '0');
}

function assertRevision(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument('invalid snapshot', [{ path: field, message: 'must be a non-negative integer' }]);
  }
}

/** Formats a snapshot's bare name: `Full-00000001-00000042-1700000000.gz[.final]`. */
export function formatSnapshotName(snapshot: Snapshot): string {
  assertRevision(snapshot.startRevision, 'startRevision');
  assertRevision(snapshot.lastRevision, 'lastRevision');
  if (snapshot.lastRevision < snapshot.startRevision) {
    throw invalidArgument('invalid snapshot', [
      { path: 'lastRevision', message: 'must not be below startRevision' },
    ]);
  }
  const created = Math.floor(snapshot.createdOn.getTime() / 1000);
  if (!Number.isFinite(created) || created < 0) {
    throw invalidArgument('invalid snapshot', [
      { path: 'createdOn', message: 'must be a valid date after 1970' },
    ]);
  }
  const suffix = snapshot.compressionSuffix ?? '';
  return `${snapshot.kind}-${pad(snapshot.startRevision)}-${pad(snapshot.lastRevision)}-${created}${suffix}${
    snapshot.isFinal ? '.final' : ''
  }`;
}

/** Formats the object key of a snapshot under a prefix: `<prefix>/v2/<name>`. */
export function formatSnapshotKey(prefix: string, snapshot: Snapshot): string {
  const trimmed = prefix.replace(/\/+$/, '');
  const directory = trimmed ? `${trimmed}/${SNAPSHOT_DIRECTORY}` : SNAPSHOT_DIRECTORY;
  return `${directory}/${formatSnapshotName(snapshot)}`;
}

/**
 * Parses a snapshot name or key (`[<prefix>/v2/]<name>`). Rejects malformed names with an
 * `InvalidArgument` error that quotes the name.
 */
export function parseSnapshotName(nameOrKey: string): Snapshot & { name: string } {
  const name = nameOrKey.slice(nameOrKey.lastIndexOf('/') + 1);
  const match = NAME_PATTERN.exec(name);
  if (!match) {
    throw invalidArgument(`"${nameOrKey}" is not a snapshot name`, [
      {
        path: '',
        message: 'expected <Full|Incr>-<start:08d>-<last:08d>-<unixSeconds>[.gz|.zlib|.Z][.final]',
      },
    ]);
  }
  const [, kind, start, last, created, compression, final] = match;
  const startRevision = Number(start);
  const lastRevision = Number(last);
  if (
    !Number.isSafeInteger(startRevision) ||
    !Number.isSafeInteger(lastRevision) ||
    lastRevision < startRevision
  ) {
    throw invalidArgument(`"${nameOrKey}" is not a snapshot name`, [
      { path: '', message: 'revisions must be safe integers with last >= start' },
    ]);
  }
  return {
    name,
    kind: kind as SnapshotKind,
    startRevision,
    lastRevision,
    createdOn: new Date(Number(created) * 1000),
    compressionSuffix: (compression ?? '') as CompressionSuffix,
    isFinal: final !== undefined,
  };
}

/** True when `nameOrKey` parses as a snapshot name. */
export function isSnapshotName(nameOrKey: string): boolean {
  return NAME_PATTERN.test(nameOrKey.slice(nameOrKey.lastIndexOf('/') + 1));
}

/**
 * Orders snapshots ascending by last revision, then deltas before fulls (a full snapshot at the
 * same revision already holds what the delta holds, so it starts the newer stream), then by
 * creation time: the order `BackupStore.list` returns.
 */
export function compareSnapshots(a: Snapshot, b: Snapshot): number {
  return (
    a.lastRevision - b.lastRevision ||
    (a.kind === b.kind ? 0 : a.kind === 'Incr' ? -1 : 1) ||
    a.createdOn.getTime() - b.createdOn.getTime()
  );
}
