// Make sure a container fit for backups exists, save an etcd snapshot into it (blocks staged with
// their MD5, the whole snapshot's MD5 checked on fetch), list the snapshots, fetch one back, delete it.
import { Readable } from 'node:stream';
import { ensureBlobContainer } from '@trellis/provider-azure';
import { detail, openTarget, step } from './azure-target.ts';

const target = await openTarget({ storage: true });
const { provider } = target;
try {
  const config = {
    container: process.env.TRELLIS_AZURE_CONTAINER ?? 'trellis-example-backups',
    prefix: process.env.TRELLIS_AZURE_BACKUP_PREFIX ?? 'example-etcd',
    account: target.storage,
  };
  step(`Ensuring container ${config.container} (${target.mode})`);
  const ensured = await ensureBlobContainer(provider, config);
  detail(ensured.created ? 'created' : 'exists already');

  const store = provider.backupStore(config);
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
