import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { BackupStore, CallOptions, Snapshot, StoredSnapshot } from '@trellis/core';
import { TrellisError } from '@trellis/core';
import type { Etcd3, IEvent, IKeyValue, IWatchResponse } from 'etcd3';
import { type DeltaEvent, type DeltaKeyValue, encodeDeltaPayload } from './delta-format.js';
import { CompactedRevisionError, etcdError } from './errors.js';
import { currentRevision } from './etcd-connection.js';

/** Options of {@link takeDeltaSnapshot}. */
export interface DeltaSnapshotOptions extends CallOptions {
  client: Etcd3;
  store: BackupStore;
  /** The last revision already saved; the delta starts at the next one. */
  sinceRevision: number;
  /** Creation time of the snapshot. @default now */
  createdOn?: Date;
  /** Name the snapshot `.final`. @default false */
  isFinal?: boolean;
  /** Time source for each event's `time`. @default () => new Date() */
  now?: () => Date;
}

function toKeyValue(kv: IKeyValue): DeltaKeyValue {
  return {
    key: Buffer.from(kv.key ?? []),
    value: Buffer.from(kv.value ?? []),
    createRevision: Number(kv.create_revision ?? 0),
    modRevision: Number(kv.mod_revision ?? 0),
    version: Number(kv.version ?? 0),
    lease: String(kv.lease ?? '0'),
  };
}

/**
 * Watches every key from `fromRevision` and yields events up to and including `toRevision`,
 * then cancels the watch. Rejects with {@link CompactedRevisionError} when etcd has compacted
 * `fromRevision`.
 */
export async function* watchRevisions(
  client: Etcd3,
  fromRevision: number,
  toRevision: number,
  signal?: AbortSignal,
): AsyncGenerator<IEvent> {
  const queue: IWatchResponse[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let watch: Awaited<ReturnType<Etcd3['watchClient']['watch']>>;
  try {
    watch = await client.watchClient.watch();
  } catch (error) {
    throw etcdError('watch', error);
  }
  watch.on('data', (response) => {
    queue.push(response);
    notify();
  });
  watch.on('error', (error) => {
    failure ??= etcdError('watch', error);
    notify();
  });
  watch.on('end', () => {
    failure ??= etcdError('watch', new Error('the watch stream ended'));
    notify();
  });
  const onAbort = () => {
    failure ??= new TrellisError({
      code: 'Canceled',
      message: 'delta snapshot canceled',
      operation: 'deltaSnapshot',
    });
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  watch.write({
    create_request: {
      key: Buffer.from([0]),
      range_end: Buffer.from([0]),
      start_revision: fromRevision,
      prev_kv: true,
    },
  });
  let expected = fromRevision;
  try {
    while (true) {
      const response = queue.shift();
      if (!response) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (response.canceled) {
        const compacted = Number(response.compact_revision ?? 0);
        if (compacted > 0) throw new CompactedRevisionError(fromRevision, compacted);
        throw etcdError('watch', new Error(`watch canceled: ${response.cancel_reason || 'no reason'}`));
      }
      for (const event of response.events ?? []) {
        const revision = Number(event.kv.mod_revision);
        if (revision > toRevision) return;
        if (revision !== expected && revision !== expected - 1) {
          throw etcdError('watch', new Error(`watch skipped from revision ${expected} to ${revision}`));
        }
        expected = revision + 1;
        yield event;
        if (revision === toRevision && event === response.events[response.events.length - 1]) return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    watch.cancel();
  }
}

async function* toDeltaEvents(
  client: Etcd3,
  events: AsyncIterable<IEvent>,
  now: () => Date,
): AsyncGenerator<DeltaEvent> {
  const leaseTtls = new Map<string, number | undefined>();
  for await (const event of events) {
    const kv = toKeyValue(event.kv);
    const isDelete = String(event.type).toUpperCase() === 'DELETE';
    const delta: DeltaEvent = { type: isDelete ? 'DELETE' : 'PUT', kv, time: now() };
    if (event.prev_kv) delta.prevKv = toKeyValue(event.prev_kv);
    if (!isDelete && kv.lease !== '0') {
      if (!leaseTtls.has(kv.lease)) {
        const info = await client.leaseClient.leaseTimeToLive({ ID: kv.lease }).catch(() => undefined);
        const granted = Number(info?.grantedTTL ?? 0);
        leaseTtls.set(kv.lease, granted > 0 ? granted : undefined);
      }
      const ttl = leaseTtls.get(kv.lease);
      if (ttl !== undefined) delta.leaseGrantedTtl = ttl;
    }
    yield delta;
  }
}

/**
 * Saves every event after `sinceRevision` up to etcd's current revision as
 * `Incr-<since+1>-<current>-<unix>.gz` (etcd-backup-restore's delta payload, gzipped). Resolves
 * undefined when nothing changed. Rejects with {@link CompactedRevisionError} when etcd no
 * longer has the revisions (take a full snapshot then); a failed watch or store leaves nothing.
 */
export async function takeDeltaSnapshot(options: DeltaSnapshotOptions): Promise<StoredSnapshot | undefined> {
  const { client, store, sinceRevision } = options;
  const lastRevision = await currentRevision(client);
  if (lastRevision === sinceRevision) return undefined;
  if (lastRevision < sinceRevision) {
    throw new CompactedRevisionError(sinceRevision + 1, lastRevision);
  }
  const snapshot: Snapshot = {
    kind: 'Incr',
    startRevision: sinceRevision + 1,
    lastRevision,
    createdOn: options.createdOn ?? new Date(),
    compressionSuffix: '.gz',
    isFinal: options.isFinal ?? false,
  };
  let sourceError: unknown;
  const events = watchRevisions(client, sinceRevision + 1, lastRevision, options.signal);
  const payload = encodeDeltaPayload(toDeltaEvents(client, events, options.now ?? (() => new Date())));
  const source = Readable.from(
    (async function* () {
      try {
        yield* payload;
      } catch (error) {
        sourceError = error;
        throw error;
      }
    })(),
  );
  const gzip = createGzip({ level: 6 });
  pipeline(source, gzip, () => {});
  try {
    return await store.save(snapshot, gzip, options);
  } catch (error) {
    throw sourceError instanceof CompactedRevisionError ? sourceError : error;
  } finally {
    gzip.destroy();
  }
}
