import type { Etcd3 } from 'etcd3';

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
