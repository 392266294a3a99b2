import { backupCases } from './backup-store-cases.js';
import {
  BACKUP_CONFORMANCE_CASES,
  type BackupConformanceCase,
  type BackupConformanceOptions,
} from './backup-store-conformance-types.js';
import { describeConformance } from './conformance-cases.js';

/**
 * The `BackupStore` conformance suite: registers a `describe` block with one test per
 * {@link BackupConformanceCase}. Call it at the top level of a vitest test file.
 */
export function backupStoreConformance(options: BackupConformanceOptions): void {
  const {
    largeSize = 64 * 2 ** 20,
    boundedMemorySize = 256 * 2 ** 20,
    boundedMemoryLimit = 96 * 2 ** 20,
    timeoutMs = 120_000,
  } = options;
  describeConformance({
    title: `${options.name}: BackupStore conformance`,
    cases: BACKUP_CONFORMANCE_CASES,
    setup: options.setup,
    skip: options.skip,
    timeoutMs,
    run: (name, subject) =>
      backupCases[name]({ store: subject.store, largeSize, boundedMemorySize, boundedMemoryLimit }),
  });
}
