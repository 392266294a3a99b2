import { TrellisError } from '@trellis/core';
import { ossToTrellisError } from './oss-errors.js';

/** The bucket calls of `ali-oss` {@link ensureOssBucket} makes. */
export interface OssBucketClient {
  putBucket(name: string, options?: { acl?: string; storageClass?: string }): Promise<unknown>;
  putBucketEncryption(name: string, rules: { SSEAlgorithm: string }): Promise<unknown>;
  putBucketLifecycle(name: string, rules: object[]): Promise<unknown>;
}

/** The id of the lifecycle rule that aborts incomplete multipart uploads. */
export const OSS_ABORT_UPLOADS_RULE_ID = 'trellis-abort-incomplete-multipart-uploads';

/**
 * Makes the backup bucket ready: created private when missing (an existing one is kept), server-side
 * encryption (AES256) on, and a lifecycle rule that aborts multipart uploads left incomplete for 7
 * days (what a crashed save leaves). Resolves whether the bucket was created.
 */
export async function ensureOssBucket(
  client: OssBucketClient,
  bucket: string,
): Promise<{ created: boolean }> {
  const context = { provider: 'alicloud', operation: 'ensureBucket' };
  let created = true;
  try {
    await client.putBucket(bucket, { acl: 'private', storageClass: 'Standard' });
  } catch (error) {
    const mapped = ossToTrellisError(error, context);
    if (mapped.code !== 'AlreadyExists') throw mapped;
    created = false;
  }
  try {
    await client.putBucketEncryption(bucket, { SSEAlgorithm: 'AES256' });
    await client.putBucketLifecycle(bucket, [
      { id: OSS_ABORT_UPLOADS_RULE_ID, prefix: '', status: 'Enabled', abortMultipartUpload: { days: 7 } },
    ]);
  } catch (error) {
    throw TrellisError.isInstance(error) ? error : ossToTrellisError(error, context);
  }
  return { created };
}
