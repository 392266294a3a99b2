/** The object tag holding a snapshot's sha256 (`trellis-sha256`). */
export const S3_CHECKSUM_TAG = 'trellis-sha256';

/** The id of the lifecycle rule `ensureBucket` adds to abort incomplete multipart uploads. */
export const ABORT_INCOMPLETE_UPLOADS_RULE_ID = 'trellis-abort-incomplete-multipart-uploads';
