import {
  type CompressionSuffix,
  invalidArgument,
  parseSnapshotName,
  type Snapshot,
  type StoredSnapshot,
} from '@trellis/core';
import { formatTable } from '../output-format.js';
import { parseCount } from './command-helpers.js';

/** Options of `trellis backup save` that name the snapshot. */
export interface SnapshotOptions {
  name?: string;
  kind: string;
  startRevision: string;
  lastRevision?: string;
  created?: string;
  compressed?: boolean;
  final?: boolean;
}

/** The snapshot `backup save` stores, from `--name` or from the revision options. */
export function snapshotFromOptions(options: SnapshotOptions, now: Date): Snapshot {
  if (options.name) return parseSnapshotName(options.name);
  if (options.kind !== 'Full' && options.kind !== 'Incr') {
    throw invalidArgument('invalid snapshot kind', [{ path: '--kind', message: 'must be Full or Incr' }]);
  }
  if (options.lastRevision === undefined) {
    throw invalidArgument('missing last revision', [
      { path: '--last-revision', message: 'is required (or give the whole name with --name)' },
    ]);
  }
  const createdOn = options.created ? new Date(options.created) : now;
  if (Number.isNaN(createdOn.getTime())) {
    throw invalidArgument('invalid creation time', [
      { path: '--created', message: `"${options.created}" is not an ISO 8601 date` },
    ]);
  }
  const compressionSuffix: CompressionSuffix = options.compressed ? '.gz' : '';
  return {
    kind: options.kind,
    startRevision: parseCount(options.startRevision, '--start-revision'),
    lastRevision: parseCount(options.lastRevision, '--last-revision'),
    createdOn,
    compressionSuffix,
    isFinal: options.final === true,
  };
}

/** Formats stored snapshots as a table. */
export function formatSnapshots(snapshots: readonly StoredSnapshot[]): string {
  return formatTable(snapshots, [
    { header: 'NAME', value: (snapshot) => snapshot.name },
    { header: 'KIND', value: (snapshot) => snapshot.kind },
    { header: 'START', value: (snapshot) => snapshot.startRevision },
    { header: 'LAST', value: (snapshot) => snapshot.lastRevision },
    { header: 'CREATED', value: (snapshot) => snapshot.createdOn },
    { header: 'SIZE', value: (snapshot) => snapshot.size },
  ]);
}
