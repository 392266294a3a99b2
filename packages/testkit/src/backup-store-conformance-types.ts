import type { BackupStore } from '@trellis/core';
import type { SkipMap } from './conformance-cases.js';

/** The cases of {@link backupStoreConformance}, in the order they run. */
export const BACKUP_CONFORMANCE_CASES = [
  'round-trip-empty',
  'round-trip-one-byte',
  'round-trip-large',
  'list-ascending-and-parsed',
  'delete',
  'delete-missing-succeeds',
  'failed-source-leaves-nothing',
  'aborted-save-leaves-nothing',
  'fetch-missing-is-not-found',
  'memory-stays-bounded',
] as const;

/**
 * One case of {@link backupStoreConformance}:
 * - `round-trip-empty`, `round-trip-one-byte`, `round-trip-large`: save then fetch is byte-exact
 *   (0 B, 1 B, `largeSize` of random data); the snapshot is listed.
 * - `list-ascending-and-parsed`: snapshots saved out of order list ascending by last revision,
 *   with kind, revisions, creation time, compression and final flag parsed from their names.
 * - `delete`: a deleted snapshot is no longer listed and its fetch is `NotFound`.
 * - `delete-missing-succeeds`: deleting a snapshot that was never saved succeeds.
 * - `failed-source-leaves-nothing`: a source that fails midway makes save reject with a
 *   `TrellisError`; nothing new is listed.
 * - `aborted-save-leaves-nothing`: a signal aborted before or midway makes save reject with
 *   `Canceled`; nothing new is listed.
 * - `fetch-missing-is-not-found`: fetch of a snapshot never saved is `NotFound`.
 * - `memory-stays-bounded`: saving a lazily generated `boundedMemorySize` stream grows RSS and
 *   ArrayBuffer memory by less than `boundedMemoryLimit`, and the snapshot fetches byte-exact.
 */
export type BackupConformanceCase = (typeof BACKUP_CONFORMANCE_CASES)[number];

/** What `setup` returns: the store under test. */
export interface BackupConformanceSubject {
  store: BackupStore;
  /** Called in afterAll. */
  cleanup?: () => Promise<void>;
}

/** Options of {@link backupStoreConformance}. */
export interface BackupConformanceOptions {
  /** Shown in the describe() title. */
  name: string;
  /**
   * Called once in beforeAll. The store must start empty; each case uses its own snapshot
   * revisions and deletes what it saved.
   */
  setup: () => Promise<BackupConformanceSubject>;
  /** Cases to skip, each with the reason shown in the skipped test's title. */
  skip?: SkipMap<BackupConformanceCase>;
  /** Size of the random snapshot of `round-trip-large`. @default 64 MiB */
  largeSize?: number;
  /** Size of the stream `memory-stays-bounded` saves. @default 256 MiB */
  boundedMemorySize?: number;
  /** How much memory (RSS, and ArrayBuffers) may grow while saving it. @default 96 MiB */
  boundedMemoryLimit?: number;
  /** Per-test timeout. @default 120_000 */
  timeoutMs?: number;
}
