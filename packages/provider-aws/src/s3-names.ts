/**
 * The object tag holding the SHA-256 of a whole snapshot (`trellis-sha256`), which earlier releases
 * wrote; still verified on fetch.
 */
export const S3_CHECKSUM_TAG = 'trellis-sha256';

/**
 * The object tag holding a snapshot's composite SHA-256 (`trellis-sha256-parts`): the part size and
 * the SHA-256 of its parts' SHA-256 digests, as `<partSize>:<hex>`.
 */
export const S3_PART_CHECKSUM_TAG = 'trellis-sha256-parts';

/** The id of the lifecycle rule `ensureBucket` adds to abort incomplete multipart uploads. */
export const ABORT_INCOMPLETE_UPLOADS_RULE_ID = 'trellis-abort-incomplete-multipart-uploads';
