import type { Etcd3, IKeyValue } from 'etcd3';
import { createEtcdClient } from '../etcd-connection.js';
import { startEtcdServer } from '../etcd-server.js';

/** What a test compares between a source etcd and a restored one. */
export interface EtcdContents {
  /** The store's revision. */
  readonly revision: number;
  /** Every key as `key -> value|lease|create_revision|mod_revision|version` (bytes as latin1). */
  readonly entries: Map<string, string>;
  /** The ids of the leases that exist, sorted. */
  readonly leases: string[];
}

/**
 * Keys as `key -> value|lease|create_revision|mod_revision|version`, bytes read as latin1 (one
 * character per byte: any key or value compares exactly). A restore that applied revisions out of
 * order differs in the keys' revisions even where their values agree.
 */
export function etcdEntries(kvs: readonly IKeyValue[]): Map<string, string> {
  return new Map(
    kvs.map((kv) => [
      kv.key.toString('latin1'),
      [kv.value.toString('latin1'), kv.lease, kv.create_revision, kv.mod_revision, kv.version].join('|'),
    ]),
  );
}

/** Every key of an etcd with its revisions (see {@link etcdEntries}), the revision and the leases. */
export async function readEtcdContents(client: Etcd3): Promise<EtcdContents> {
  const response = await client.kv.range({ key: Buffer.from([0]), range_end: Buffer.from([0]) });
  const leases = ((await client.leaseClient.leaseLeases()).leases ?? [])
    .map((lease) => String(lease.ID))
    .sort();
  return { revision: Number(response.header.revision), entries: etcdEntries(response.kvs), leases };
}

/** Starts etcd on a restored data directory, reads it (see {@link readEtcdContents}) and stops it. */
export async function readRestoredEtcdContents(dataDirectory: string): Promise<EtcdContents> {
  const restored = await startEtcdServer({ dataDirectory });
  const client = createEtcdClient({ endpoints: [restored.endpoint] });
  try {
    return await readEtcdContents(client);
  } finally {
    client.close();
    await restored.stop();
  }
}
