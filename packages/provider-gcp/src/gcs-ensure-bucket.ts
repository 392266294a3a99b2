import { Storage } from '@google-cloud/storage';
import { type CallOptions, callSignal } from '@trellis/core';
import { toTrellisError } from './gcp-errors.js';
import type { GcpClientOptions } from './gcp-settings.js';
import { storageFor } from './gcs-backup-store.js';

/** Options of {@link ensureGcsBucket}. */
export interface EnsureGcsBucketOptions extends CallOptions {
  /** Location of a new bucket. @default 'EU' */
  location?: string;
  /** Delete objects older than this many days (0: no such rule). @default 0 */
  deleteAfterDays?: number;
}

/** The settings Trellis applies to a backup bucket. */
export function backupBucketSettings(options: EnsureGcsBucketOptions = {}) {
  return {
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    lifecycle: {
      rule: [
        // Multipart (XML API) uploads a crashed writer left: gone after a week.
        { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 7 } },
        ...(options.deleteAfterDays
          ? [{ action: { type: 'Delete' }, condition: { age: options.deleteAfterDays } }]
          : []),
      ],
    },
  };
}

/**
 * Creates the backup bucket when missing, with uniform bucket-level access, public access
 * prevention enforced and the lifecycle rules; an existing bucket gets the same settings patched
 * in. Idempotent. Resolves whether the bucket was created.
 */
export async function ensureGcsBucket(
  storageOrOptions: Storage | GcpClientOptions,
  name: string,
  options: EnsureGcsBucketOptions = {},
): Promise<{ created: boolean }> {
  const signal = callSignal(options, { provider: 'gcp', operation: 'ensureBucket' });
  const storage = storageOrOptions instanceof Storage ? storageOrOptions : storageFor(storageOrOptions);
  const bucket = storage.bucket(name);
  const settings = backupBucketSettings(options);
  try {
    const [exists] = await bucket.exists();
    if (!exists) {
      await storage.createBucket(name, { location: options.location ?? 'EU', ...settings } as never);
      return { created: true };
    }
    await bucket.setMetadata(settings as never);
    return { created: false };
  } catch (error) {
    throw toTrellisError(error, { operation: 'ensureBucket', signal });
  }
}
