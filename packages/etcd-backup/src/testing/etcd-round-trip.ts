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
import { readEtcdContents, readRestoredEtcdContents } from './etcd-contents.js';

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
 * Saves a full and a delta snapshot of a real etcd (200 keys, then a delete, a put and an
 * overwrite) into `store`, restores a new data directory from the store alone, starts etcd on it,
 * and throws unless it holds exactly the source's keys and values — each with the source's create
 * and mod revisions, version and lease — its leases and its revision. Everything it starts is
 * stopped and its directories removed, also on failure.
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
    await client.put('key/new').value('overwritten in the same delta');
    const delta = await takeDeltaSnapshot({ client, store, sinceRevision: full.lastRevision });
    if (delta?.kind !== 'Incr') throw new Error(`the delta snapshot was not saved (got ${delta?.kind})`);
    const expected = await readEtcdContents(client);

    const dataDirectory = join(work, 'restored');
    const restored = await restoreEtcd({ store, dataDirectory });
    if (restored.revision !== expected.revision)
      throw new Error(
        `the restored etcd is at revision ${restored.revision}, the source at ${expected.revision}`,
      );
    const actual = await readRestoredEtcdContents(dataDirectory);
    const changed = [...expected.entries].filter(([key, entry]) => actual.entries.get(key) !== entry);
    const extra = [...actual.entries.keys()].filter((key) => !expected.entries.has(key));
    if (changed.length > 0 || extra.length > 0 || actual.revision !== expected.revision) {
      throw new Error(
        `the restored etcd differs: ${changed.length} keys missing or changed (${changed
          .slice(0, 5)
          .map(([key]) => key)
          .join(
            ', ',
          )}), ${extra.length} extra (${extra.slice(0, 5).join(', ')}), revision ${actual.revision}`,
      );
    }
    if (!isDeepStrictEqual(actual.leases, expected.leases))
      throw new Error(`the restored etcd has leases ${actual.leases}, the source ${expected.leases}`);
    return { revision: expected.revision, keys: actual.entries.size, snapshots: [full.kind, delta.kind] };
  } finally {
    client.close();
    await etcd.stop();
    await rm(work, { recursive: true, force: true });
  }
}
