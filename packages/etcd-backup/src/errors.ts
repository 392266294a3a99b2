import { TrellisError } from '@trellis/core';

/** A stored snapshot that failed an integrity check (gzip, sha256, etcd's hash, revisions). */
export class SnapshotIntegrityError extends TrellisError {
  /** The snapshot's bare name. */
  readonly snapshot: string;
  constructor(snapshot: string, problem: string, cause?: unknown) {
    super({
      code: 'Internal',
      message: `snapshot ${snapshot} failed its integrity check: ${problem}`,
      operation: 'restore',
      retryable: false,
      cause,
    });
    this.snapshot = snapshot;
  }
}

/** Revisions missing between two snapshots of a restore chain. */
export class RevisionGapError extends TrellisError {
  /** First missing revision. */
  readonly missingFrom: number;
  /** Last missing revision. */
  readonly missingTo: number;
  constructor(missingFrom: number, missingTo: number, after: string, before: string) {
    super({
      code: 'NotFound',
      message: `revisions ${missingFrom}..${missingTo} are missing: no snapshot covers them between ${after} and ${before}`,
      operation: 'restore',
      retryable: false,
    });
    this.missingFrom = missingFrom;
    this.missingTo = missingTo;
  }
}

/** etcd compacted the revisions a delta snapshot needed; a full snapshot must be taken instead. */
export class CompactedRevisionError extends TrellisError {
  /** The revision etcd has compacted up to. */
  readonly compactRevision: number;
  constructor(requested: number, compactRevision: number) {
    super({
      code: 'OutOfRange',
      message: `etcd has compacted revision ${requested} (compacted up to ${compactRevision})`,
      operation: 'deltaSnapshot',
      retryable: false,
    });
    this.compactRevision = compactRevision;
  }
}

/** Wraps an etcd client failure as an `Unavailable` TrellisError (unless already a TrellisError). */
export function etcdError(operation: string, error: unknown): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TrellisError({
    code: 'Unavailable',
    message: `etcd ${operation} failed: ${message}`,
    operation,
    cause: error,
  });
}
