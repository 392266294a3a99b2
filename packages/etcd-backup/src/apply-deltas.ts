import type { Etcd3, ICompare, IRequestOp } from 'etcd3';
import type { DeltaEvent } from './delta-format.js';
import { etcdError, SnapshotIntegrityError } from './errors.js';
import { currentRevision } from './etcd-connection.js';

/**
 * The leases of a restore etcd: those the full snapshot brought, and those granted for delta
 * events; all kept alive while deltas apply, so none expires mid-restore.
 */
export class LeaseKeeper {
  readonly #client: Etcd3;
  readonly #known = new Set<string>();
  /** Leases that may lose their keys to the deltas: granted here, or holding keys in the full snapshot. */
  readonly #candidates = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #stream: Awaited<ReturnType<Etcd3['leaseClient']['leaseKeepAlive']>> | undefined;

  constructor(client: Etcd3) {
    this.#client = client;
  }

  async start(): Promise<void> {
    const existing = await this.#client.leaseClient.leaseLeases();
    for (const lease of existing.leases ?? []) {
      const id = String(lease.ID);
      this.#known.add(id);
      const live = await this.#client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      if ((live.keys ?? []).length > 0) this.#candidates.add(id);
    }
    this.#stream = await this.#client.leaseClient.leaseKeepAlive();
    this.#stream.on('error', () => {});
    this.#stream.on('data', () => {});
    this.#refresh();
    this.#timer = setInterval(() => this.#refresh(), 1000);
  }

  #refresh(): void {
    for (const id of this.#known) this.#stream?.write({ ID: id });
  }

  /**
   * The lease a put of the delta attaches to: its own lease when the restored database has it
   * (from the full snapshot or granted earlier), or when the delta recorded its TTL (Trellis
   * deltas: granted now with that TTL); `'0'` (no lease) otherwise — etcd-backup-restore's deltas
   * carry no TTL, and its own restore writes their keys without leases too.
   */
  async leaseFor(id: string, grantedTtl: number | undefined): Promise<string> {
    if (id === '0' || this.#known.has(id)) return id;
    if (grantedTtl === undefined || !(grantedTtl > 0)) return '0';
    await this.#client.leaseClient.leaseGrant({ ID: id, TTL: grantedTtl });
    this.#known.add(id);
    this.#candidates.add(id);
    return id;
  }

  /**
   * Revokes the leases that held keys (in the full snapshot, or put by a delta) and hold none
   * now: the source revoked them (or they expired), which etcd recorded as the DELETE events of
   * their keys. Revoking deletes nothing (no key is attached) and writes no revision.
   */
  async revokeEmpty(): Promise<string[]> {
    const revoked: string[] = [];
    for (const id of this.#candidates) {
      const live = await this.#client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      if ((live.keys ?? []).length > 0) continue;
      await this.#client.leaseClient.leaseRevoke({ ID: id });
      this.#known.delete(id);
      revoked.push(id);
    }
    this.#candidates.clear();
    return revoked;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#stream?.cancel();
  }
}

/** State of an ongoing delta application. */
export interface DeltaApplication {
  client: Etcd3;
  leases: LeaseKeeper;
  /** The restore etcd's current revision. */
  revision: number;
  /** Apply no event after this revision. */
  lastRevision: number;
}

function groupByRevision(events: DeltaEvent[]): Array<[number, DeltaEvent[]]> {
  const groups: Array<[number, DeltaEvent[]]> = [];
  for (const event of events) {
    const revision = event.kv.modRevision;
    const last = groups.at(-1);
    if (last && last[0] === revision) last[1].push(event);
    else groups.push([revision, [event]]);
  }
  return groups;
}

/**
 * Source revisions sent before the first one's answer is awaited. etcd (grpc-go: one goroutine per
 * request) proposes concurrent transactions in whatever order their goroutines reach raft — most
 * windows of two came out swapped here — so each one after the first carries its predecessor's
 * {@link landedGuard} and does nothing when it overtook it; it is sent again in the next window.
 * Measured on the restore bench (1,020 revisions): 8 beats 1 (each revision waits for its own raft
 * round), 4, 16 and 64 (more of the window is sent again after a swap).
 */
const PIPELINE_DEPTH = 8;

/** One source revision, ready to send. */
interface PreparedRevision {
  revision: number;
  operations: IRequestOp[];
  /** Holds once this revision has applied (see {@link landedGuard}); none when it only deletes. */
  landed: ICompare | undefined;
}

/**
 * A compare that holds once `revision` (the events in `group`) has applied, until a later revision
 * changes the same key: a key it put has `revision` as its mod revision. A window sends each
 * revision once, so the next revision's transaction carrying this guard applies right after this
 * one or not at all, and so on down the window. A revision that only deletes has none: the restore
 * etcd lacks a deleted key before the revision that made it applies just as after the delete, so
 * the revision after it starts a new window.
 */
function landedGuard(revision: number, group: DeltaEvent[]): ICompare | undefined {
  const put = group.find((event) => event.type !== 'DELETE');
  return put ? { key: put.kv.key, target: 'Mod', result: 'Equal', mod_revision: revision } : undefined;
}

/**
 * The revisions to send together from `from` on: up to {@link PIPELINE_DEPTH}, each after the first
 * guarded by its predecessor, so the window ends before a revision whose predecessor has no guard.
 */
function windowFrom(revisions: PreparedRevision[], from: number): PreparedRevision[] {
  let end = from + 1;
  while (end < revisions.length && end - from < PIPELINE_DEPTH && revisions[end - 1]?.landed) end++;
  return revisions.slice(from, end);
}

/** The revisions of one delta still to apply, checked for gaps and order, with their leases granted. */
async function prepareRevisions(
  application: DeltaApplication,
  snapshotName: string,
  startRevision: number,
  events: DeltaEvent[],
): Promise<PreparedRevision[]> {
  const prepared: PreparedRevision[] = [];
  let expected = startRevision;
  for (const [revision, group] of groupByRevision(events)) {
    if (revision !== expected && revision !== expected - 1) {
      throw new SnapshotIntegrityError(snapshotName, `events jump from revision ${expected} to ${revision}`);
    }
    if (revision < expected)
      throw new SnapshotIntegrityError(snapshotName, `events are out of order at ${revision}`);
    expected = revision + 1;
    if (revision <= application.revision) continue;
    if (revision > application.lastRevision) break;
    if (prepared.length === 0 && revision !== application.revision + 1) {
      throw new SnapshotIntegrityError(
        snapshotName,
        `restored etcd is at revision ${application.revision}, the delta continues at ${revision}`,
      );
    }
    const operations: IRequestOp[] = [];
    for (const event of group) {
      if (event.type === 'DELETE') {
        operations.push({ request_delete_range: { key: event.kv.key } });
      } else {
        const lease = await application.leases.leaseFor(event.kv.lease, event.leaseGrantedTtl);
        operations.push({ request_put: { key: event.kv.key, value: event.kv.value, lease } });
      }
    }
    prepared.push({ revision, operations, landed: landedGuard(revision, group) });
  }
  return prepared;
}

/**
 * Applies one delta's events in revision order, one transaction per source revision, skipping
 * revisions the restore etcd already holds. Up to {@link PIPELINE_DEPTH} transactions are in flight,
 * each guarded by its predecessor's {@link landedGuard}, so they still apply in the source's order.
 * Checks each transaction lands on exactly the source's revision, so a missing or extra change is
 * caught at the delta that holds it.
 */
export async function applyDelta(
  application: DeltaApplication,
  snapshotName: string,
  startRevision: number,
  events: DeltaEvent[],
): Promise<void> {
  const revisions = await prepareRevisions(application, snapshotName, startRevision, events);
  for (let next = 0; next < revisions.length; ) {
    const window = windowFrom(revisions, next);
    // The window's first revision follows one that has applied: it needs no guard. The window is
    // over once every answer is in, so no attempt is still in flight when one is sent again.
    const answers = await Promise.allSettled(
      window.map(({ operations }, index) =>
        application.client.kv.txn({
          compare: index === 0 ? [] : [(window[index - 1] as PreparedRevision).landed as ICompare],
          success: operations,
        }),
      ),
    );
    for (const [index, answer] of answers.entries()) {
      if (answer.status === 'rejected') throw etcdError('txn', answer.reason);
      const { revision } = window[index] as PreparedRevision;
      if (!answer.value.succeeded) {
        // It overtook its predecessor and did nothing; so did every later one (each waits for the last).
        // The first has no guard: refused, it would be sent again forever.
        if (index === 0) throw new SnapshotIntegrityError(snapshotName, `revision ${revision} did not apply`);
        const later = answers
          .slice(index + 1)
          .find((other) => other.status === 'fulfilled' && other.value.succeeded);
        if (later)
          throw new SnapshotIntegrityError(snapshotName, `a revision after ${revision} applied before it`);
        break;
      }
      const landed = Number(answer.value.header.revision);
      if (landed !== revision) {
        throw new SnapshotIntegrityError(snapshotName, `revision ${revision} applied as revision ${landed}`);
      }
      application.revision = landed;
      next++;
    }
  }
}

/** Reads the restore etcd's revision into a new application state. */
export async function beginDeltaApplication(client: Etcd3, lastRevision: number): Promise<DeltaApplication> {
  const leases = new LeaseKeeper(client);
  await leases.start();
  return { client, leases, revision: await currentRevision(client), lastRevision };
}
