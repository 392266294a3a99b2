import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { BackupStore } from '@trellis/core';
import { takeDeltaSnapshot } from '../delta-snapshot.js';
import { createEtcdClient } from '../etcd-connection.js';
import { findExecutable, startEtcdServer } from '../etcd-server.js';
import { takeFullSnapshot } from '../full-snapshot.js';
import { restoreEtcd } from '../restore.js';

/**
 * Whether `etcd` and `etcdctl` are on PATH. When they are not, a test that needs them is skipped
 * with a loud warning naming `what`; under `CI` it throws instead, since CI must run it.
 */
export function etcdAvailable(what: string): boolean {
  if (findExecutable('etcd') && findExecutable('etcdctl')) return true;
  const message = `!!! etcd/etcdctl not on PATH: ${what} is SKIPPED`;
  if (process.env.CI) throw new Error(`${message}; in CI it must run`);
  console.warn(message);
  return false;
}

/** What {@link checkEtcdRoundTrip} saw. */
export interface EtcdRoundTripResult {
  /** The source's revision, which the restored etcd holds too. */
  readonly revision: number;
  /** Keys restored. */
  readonly keys: number;
  /** The kinds of the snapshots it saved (`Full`, `Incr`). */
  readonly snapshots: readonly string[];
}

/**
 * Saves a full and a delta snapshot of a real etcd (200 keys, then a delete and a put) into
 * `store`, restores a new data directory from the store alone, starts etcd on it, and throws unless
 * it holds exactly the source's keys, values and revision. Everything it starts is stopped and its
 * directories removed, also on failure.
 */
export async function checkEtcdRoundTrip(store: BackupStore): Promise<EtcdRoundTripResult> {
  const work = await mkdtemp(join(tmpdir(), 'trellis-etcd-round-trip-'));
  const etcd = await startEtcdServer({ dataDirectory: join(work, 'source') });
  const client = createEtcdClient({ endpoints: [etcd.endpoint] });
  try {
    for (let index = 0; index < 200; index++) await client.put(`key/${index}`).value(`value-${index}`);
    const full = await takeFullSnapshot({ client, store });
    await client.delete().key('key/7');
    await client.put('key/new').value('after the full snapshot');
    const delta = await takeDeltaSnapshot({ client, store, sinceRevision: full.lastRevision });
    if (delta?.kind !== 'Incr') throw new Error(`the delta snapshot was not saved (got ${delta?.kind})`);
    const expected = await client.getAll().strings();
    const revision = Number((await client.kv.range({ key: Buffer.from('key/0') })).header.revision);

    const restored = await restoreEtcd({ store, dataDirectory: join(work, 'restored') });
    if (restored.revision !== revision)
      throw new Error(`the restored etcd is at revision ${restored.revision}, the source at ${revision}`);
    const check = await startEtcdServer({ dataDirectory: join(work, 'restored') });
    const checkClient = createEtcdClient({ endpoints: [check.endpoint] });
    try {
      const actual = await checkClient.getAll().strings();
      if (!isDeepStrictEqual(actual, expected)) {
        const missing = Object.keys(expected).filter((key) => actual[key] !== expected[key]);
        const extra = Object.keys(actual).filter((key) => !(key in expected));
        throw new Error(
          `the restored etcd differs: ${missing.length} keys missing or changed (${missing.slice(0, 5).join(', ')}), ${extra.length} extra (${extra.slice(0, 5).join(', ')})`,
        );
      }
      return { revision, keys: Object.keys(actual).length, snapshots: [full.kind, delta.kind] };
    } finally {
      checkClient.close();
      await check.stop();
    }
  } finally {
    client.close();
    await etcd.stop();
    await rm(work, { recursive: true, force: true });
  }
}
