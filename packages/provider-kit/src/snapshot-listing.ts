import { isSnapshotName, parseSnapshotName, SNAPSHOT_DIRECTORY, type StoredSnapshot } from '@trellis/core';
import { prefixDirectory } from './snapshot-source.js';

/** What an object store lists for `BackupStore.list`: see {@link snapshotListing}. */
export interface SnapshotListing {
  /** The key prefix to list. */
  readonly listPrefix: string;
  /** Whether a listed key is a snapshot the list reports. */
  isSnapshotKey(key: string): boolean;
}

/**
 * The keys of a store's snapshots: etcd-backup-restore's layout, directly in `<prefix>/v2/` with a
 * name that parses; with `includeAll`, every snapshot-named key under the prefix (its older `v1/`
 * layout too).
 */
export function snapshotListing(prefix: string, includeAll = false): SnapshotListing {
  const base = prefixDirectory(prefix);
  const directory = `${base}${SNAPSHOT_DIRECTORY}/`;
  return {
    listPrefix: includeAll ? base : directory,
    isSnapshotKey: (key) => isSnapshotName(key) && (includeAll || !key.slice(directory.length).includes('/')),
  };
}

/** A stored object as a snapshot: what its key names, and the size and checksum the store knows. */
export function storedSnapshot(key: string, size: number | undefined, checksum?: string): StoredSnapshot {
  const { name, ...snapshot } = parseSnapshotName(key);
  return {
    ...snapshot,
    key,
    name,
    ...(size === undefined ? {} : { size }),
    ...(checksum ? { checksum } : {}),
  };
}
