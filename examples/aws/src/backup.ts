// Make sure a bucket fit for backups exists, save an etcd snapshot into it (streamed, checksummed),
// list the snapshots, fetch one back and delete it.
import { Readable } from 'node:stream';
import { ensureBucket } from '@trellis/provider-aws';
import { detail, live, openTarget, step } from './aws-target.ts';

const target = await openTarget({ s3: true });
const { provider, bucket } = target;
try {
  step(`Ensuring bucket ${bucket} (${target.mode})`);
  // s3rver implements none of the bucket settings; AWS gets all three.
  const ensured = await ensureBucket(provider.context.clients, bucket, {
    skip: live ? [] : ['publicAccessBlock', 'encryption', 'lifecycle'],
  });
  detail(ensured.created ? 'created' : 'exists already');

  const store = provider.backupStore({
    bucket,
    prefix: process.env.TRELLIS_AWS_BACKUP_PREFIX ?? 'example-etcd',
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
