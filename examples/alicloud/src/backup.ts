// Make sure a bucket fit for backups exists (private, encrypted, aborting stale multipart
// uploads), save an etcd snapshot into it, list the snapshots, fetch one back and delete it.
import { Readable } from 'node:stream';
import { ensureAlicloudBackupBucket } from '@trellis/provider-alicloud';
import { detail, openTarget, required, step } from './alicloud-target.ts';

const target = await openTarget();
const { provider } = target;
const bucket = target.mode === 'fake' ? target.bucket : required('TRELLIS_ALICLOUD_BUCKET');
try {
  step(`Ensuring bucket ${bucket} (${target.mode})`);
  const ensured = await ensureAlicloudBackupBucket(provider.context, bucket);
  detail(ensured.created ? 'created' : 'exists already');

  const store = provider.backupStore({
    bucket,
    prefix: process.env.TRELLIS_ALICLOUD_BACKUP_PREFIX ?? 'example-etcd',
  });
  const snapshot = { kind: 'Full' as const, startRevision: 0, lastRevision: 42, createdOn: new Date() };
  step('Saving a full snapshot');
  const data = Readable.from([Buffer.from('pretend this is an etcd snapshot\n'.repeat(1000))]);
  const saved = await store.save(snapshot, data);
  detail(`${saved.key} (${saved.size ?? '?'} bytes, ${saved.checksum ?? 'no checksum'})`);

  step('Listing snapshots');
  for (const stored of await store.list())
    detail(`${stored.name} revisions ${stored.startRevision}-${stored.lastRevision}`);

  step('Fetching it back and deleting it');
  let bytes = 0;
  for await (const chunk of await store.fetch(saved)) bytes += (chunk as Buffer).length;
  detail(`fetched ${bytes} bytes`);
  await store.delete(saved);
  detail(`deleted; ${(await store.list()).length} snapshots left`);
} finally {
  await target.close();
}
