import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { compareSnapshots, type StoredSnapshot } from '@trellis/core';
import { snapshotListing, storedSnapshot } from '@trellis/provider-kit';

/**
 * Lists the snapshots under a prefix, page by page (ListObjectsV2 returns at most 1000 keys a
 * page), ascending as `compareSnapshots` orders them. Only keys directly in `<prefix>/v2/` whose
 * name parses count, unless `includeAll`, which takes every snapshot-named key under the prefix
 * (e.g. etcd-backup-restore's older `v1/` layout).
 */
export async function listSnapshotObjects(request: {
  client: S3Client;
  bucket: string;
  prefix: string;
  includeAll: boolean;
  signal: AbortSignal | undefined;
}): Promise<StoredSnapshot[]> {
  const { client, bucket, includeAll, signal } = request;
  const listing = snapshotListing(request.prefix, includeAll);
  const snapshots: StoredSnapshot[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: listing.listPrefix,
        ContinuationToken: continuationToken,
      }),
      { abortSignal: signal },
    );
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (key && listing.isSnapshotKey(key)) snapshots.push(storedSnapshot(key, object.Size));
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return snapshots.sort(compareSnapshots);
}
