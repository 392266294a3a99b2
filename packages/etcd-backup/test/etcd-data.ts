import type { Etcd3, IKeyValue } from 'etcd3';
import { createEtcdClient, startEtcdServer } from '../src/index.js';

/** What a test compares between a source etcd and a restored one. */
export interface EtcdContents {
  revision: number;
  /** Every key as `key -> value|lease|create_revision|mod_revision|version`. */
  entries: Map<string, string>;
  /** The ids of the leases that exist, sorted. */
  leases: string[];
}

/** Keys as `key -> value|lease|create_revision|mod_revision|version`. */
export function entriesOf(kvs: IKeyValue[]): Map<string, string> {
  return new Map(
    kvs.map((kv) => [
      kv.key.toString(),
      [kv.value.toString(), kv.lease, kv.create_revision, kv.mod_revision, kv.version].join('|'),
    ]),
  );
}

/**
 * Every key of an etcd as `key -> value|lease|create_revision|mod_revision|version` (a restore that
 * applied two revisions in the wrong order differs in the keys' revisions), its revision and its
 * leases.
 */
export async function readAll(client: Etcd3): Promise<EtcdContents> {
  const response = await client.kv.range({ key: Buffer.from([0]), range_end: Buffer.from([0]) });
  const entries = entriesOf(response.kvs);
  const leases = ((await client.leaseClient.leaseLeases()).leases ?? [])
    .map((lease) => String(lease.ID))
    .sort();
  return { revision: Number(response.header.revision), entries, leases };
}

/** Writes `count` keys `<prefix><i>` in transactions of 100. */
export async function writeKeys(
  client: Etcd3,
  prefix: string,
  count: number,
  value: (index: number) => string,
) {
  for (let start = 0; start < count; start += 100) {
    const success = [];
    for (let index = start; index < Math.min(count, start + 100); index++) {
      success.push({
        request_put: { key: Buffer.from(`${prefix}${index}`), value: Buffer.from(value(index)) },
      });
    }
    await client.kv.txn({ success });
  }
}

/** Starts etcd on a restored data directory, reads every key (see {@link readAll}) and stops it. */
export async function readRestored(dataDirectory: string): Promise<EtcdContents> {
  const restored = await startEtcdServer({ dataDirectory });
  const client = createEtcdClient({ endpoints: [restored.endpoint] });
  try {
    return await readAll(client);
  } finally {
    client.close();
    await restored.stop();
  }
}
