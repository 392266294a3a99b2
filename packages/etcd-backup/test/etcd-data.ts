import type { Etcd3 } from 'etcd3';
import { createEtcdClient, startEtcdServer } from '../src/index.js';

/** Every key of an etcd as `key -> value|lease`, plus its revision. */
export async function readAll(client: Etcd3): Promise<{ revision: number; entries: Map<string, string> }> {
  const response = await client.kv.range({ key: Buffer.from([0]), range_end: Buffer.from([0]) });
  const entries = new Map<string, string>();
  for (const kv of response.kvs) entries.set(kv.key.toString(), `${kv.value.toString()}|${kv.lease}`);
  return { revision: Number(response.header.revision), entries };
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
export async function readRestored(
  dataDirectory: string,
): Promise<{ revision: number; entries: Map<string, string> }> {
  const restored = await startEtcdServer({ dataDirectory });
  const client = createEtcdClient({ endpoints: [restored.endpoint] });
  try {
    return await readAll(client);
  } finally {
    client.close();
    await restored.stop();
  }
}
