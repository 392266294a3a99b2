/** `Full` snapshots hold a whole etcd database; `Incr` hold the events between two revisions. */
export type SnapshotKind = 'Full' | 'Incr';

/**
 * Compression suffix of a snapshot name, as etcd-backup-restore writes them: `.gz` for gzip,
 * `.zlib` for zlib, `.Z` for LZW (Go's `compress/lzw`, LSB order, 8-bit literals), empty for none.
 */
export type CompressionSuffix = '' | '.gz' | '.zlib' | '.Z';

/** Every compression suffix a snapshot name may carry. */
export const COMPRESSION_SUFFIXES: readonly CompressionSuffix[] = ['', '.gz', '.zlib', '.Z'];

/**
 * One etcd snapshot, as etcd-backup-restore names it:
 * `<Kind>-<startRevision:08d>-<lastRevision:08d>-<unixCreated><compressionSuffix>[.final]`.
 */
export interface Snapshot {
  readonly kind: SnapshotKind;
  /** First revision the snapshot covers (0 or 1 for a full snapshot of a new etcd). */
  readonly startRevision: number;
  /** Last revision the snapshot covers. */
  readonly lastRevision: number;
  /** Creation time; stored with second precision in the name. */
  readonly createdOn: Date;
  /** @default '' */
  readonly compressionSuffix?: CompressionSuffix;
  /** Taken on shutdown. @default false */
  readonly isFinal?: boolean;
}

/** A snapshot as a store lists it. */
export interface StoredSnapshot extends Snapshot {
  /** The snapshot's object name inside the store (`<prefix>/v2/<name>`). */
  readonly key: string;
  /** The bare snapshot name, `Full-00000001-00000042-1700000000.gz`. */
  readonly name: string;
  /** Size in bytes, when the store knows it. */
  readonly size?: number;
  /** Checksum the store verified on save, as `<algorithm>:<hex>`, when known. */
  readonly checksum?: string;
}
