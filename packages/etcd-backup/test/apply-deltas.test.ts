import type { Etcd3, IKeyValue, IRequestOp } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appliedIndex,
  applyDelta,
  beginDeltaApplication,
  landedIn,
  nextRevisionOf,
  type PreparedRevision,
  preparedRevision,
} from '../src/apply-deltas.js';
import type { DeltaEvent } from '../src/delta-format.js';
import { createEtcdClient, currentRevision, SnapshotIntegrityError } from '../src/index.js';
import { LoopbackTxnClient, TxnStatusError } from '../src/loopback-txn.js';
import { etcdInstalled, startTestEtcd } from './etcd-fixture.js';

/** A source event: a put of `value` (or a delete) of `key` at `revision`. */
function event(revision: number, key: string, value?: string): DeltaEvent {
  return {
    type: value === undefined ? 'DELETE' : 'PUT',
    kv: {
      key: Buffer.from(key),
      value: Buffer.from(value ?? ''),
      createRevision: 0,
      modRevision: revision,
      version: 0,
      lease: '0',
    },
    time: new Date(0),
  };
}

/** One revision of a window, as applyDelta prepares it. */
function prepared(revision: number, events: DeltaEvent[]): PreparedRevision {
  const operations: IRequestOp[] = events.map((change) =>
    change.type === 'DELETE'
      ? { request_delete_range: { key: change.kv.key } }
      : { request_put: { key: change.kv.key, value: change.kv.value, lease: '0' } },
  );
  return preparedRevision(revision, events, operations);
}

/** What a test compares of a key: its value, create and mod revisions and version. */
function stateOf(kv: IKeyValue) {
  return {
    value: kv.value.toString(),
    create: Number(kv.create_revision),
    mod: Number(kv.mod_revision),
    version: Number(kv.version),
  };
}

async function keyState(client: Etcd3, key: string) {
  const kv = (await client.kv.range({ key: Buffer.from(key) })).kvs[0];
  return kv ? stateOf(kv) : undefined;
}

describe.skipIf(!etcdInstalled)('delta transactions on a loopback etcd', () => {
  let etcd: Awaited<ReturnType<typeof startTestEtcd>>;
  let client: Etcd3;
  let txns: LoopbackTxnClient;

  beforeAll(async () => {
    etcd = await startTestEtcd('apply-deltas');
    client = createEtcdClient({ endpoints: [etcd.endpoint] });
    txns = new LoopbackTxnClient(etcd.endpoint);
  });
  afterAll(async () => {
    txns?.close();
    client?.close();
    await etcd?.stop();
  });

  it("a window's one transaction applies the next revision from every state it can find", async () => {
    await client.put('window/b').value('before');
    await client.put('window/e').value('before');
    await client.put('window/f').value('before');
    const base = await currentRevision(client);
    const window = [
      prepared(base + 1, [event(base + 1, 'window/a', 'a1')]),
      prepared(base + 2, [event(base + 2, 'window/b', 'b2')]),
      // Deletes only, a key the window has not touched: absent once it applied.
      prepared(base + 3, [event(base + 3, 'window/e')]),
      // a again: its first revision no longer shows, so the newest is asked first.
      prepared(base + 4, [event(base + 4, 'window/a', 'a4')]),
      prepared(base + 5, [event(base + 5, 'window/c', 'c5'), event(base + 5, 'window/b')]),
      prepared(base + 6, [event(base + 6, 'window/d', 'd6')]),
      prepared(base + 7, [event(base + 7, 'window/f')]),
      // Deletes only a key the window put: absent before it too, so nothing can follow it.
      prepared(base + 8, [event(base + 8, 'window/a')]),
    ];
    expect(landedIn(window, 2)).toMatchObject({ target: 'Version', version: 0 });
    expect(landedIn(window, 6)).toMatchObject({ target: 'Version', version: 0 });
    expect(landedIn(window, 7)).toBeUndefined();
    const transaction = txns.encode(nextRevisionOf(window));
    // Sent one after the other, the same bytes meet each state a window passes through.
    for (const [position, revision] of window.entries()) {
      const answer = await txns.txn(transaction);
      expect(appliedIndex(answer, window.length)).toBe(position);
      expect(Number(answer.header.revision)).toBe(revision.revision);
    }
    expect(await currentRevision(client)).toBe(base + 8);
    for (const gone of ['window/a', 'window/b', 'window/e', 'window/f'])
      expect(await keyState(client, gone)).toBeUndefined();
    expect(await keyState(client, 'window/c')).toEqual({
      value: 'c5',
      create: base + 5,
      mod: base + 5,
      version: 1,
    });
    expect(await keyState(client, 'window/d')).toEqual({
      value: 'd6',
      create: base + 6,
      mod: base + 6,
      version: 1,
    });
  });

  it('applyDelta sends windows concurrently and every key lands on its source revision', async () => {
    const application = await beginDeltaApplication(client, txns, Number.MAX_SAFE_INTEGER);
    try {
      const base = application.revision;
      // 300 revisions: puts that overwrite keys within a window, and deletes; the model is what
      // etcd must end up holding.
      const events: DeltaEvent[] = [];
      const model = new Map<string, { value: string; create: number; mod: number; version: number }>();
      for (let offset = 1; offset <= 300; offset++) {
        const revision = base + offset;
        // Deletes of a key put three revisions before (often in the same window), or forty.
        const doomed = `many/${offset % 7 === 0 ? offset - 3 : offset - 40}`;
        if ((offset % 7 === 0 || offset % 11 === 0) && model.has(doomed)) {
          events.push(event(revision, doomed));
          model.delete(doomed);
          continue;
        }
        const key = `many/${offset % 5 === 0 ? 'hot' : offset}`;
        const before = model.get(key);
        events.push(event(revision, key, `v${offset}`));
        model.set(key, {
          value: `v${offset}`,
          create: before?.create ?? revision,
          mod: revision,
          version: (before?.version ?? 0) + 1,
        });
      }
      await applyDelta(application, 'Incr-test', base + 1, events);
      expect(application.revision).toBe(base + 300);
      expect(await currentRevision(client)).toBe(base + 300);
      const held = await client.kv.range({ key: Buffer.from('many/'), range_end: Buffer.from('many0') });
      const actual = new Map(held.kvs.map((kv) => [kv.key.toString(), stateOf(kv)]));
      expect(actual).toEqual(model);
      expect(model.get('many/hot')?.version).toBeGreaterThan(40);
    } finally {
      application.leases.stop();
    }
  });

  it('a revision that lands elsewhere than the source says is refused, naming the delta', async () => {
    const application = await beginDeltaApplication(client, txns, Number.MAX_SAFE_INTEGER);
    try {
      const base = application.revision;
      // Another writer moves the etcd on after the application read its revision.
      await client.put('drift').value('x');
      const failure = await applyDelta(application, 'Incr-drift', base + 1, [
        event(base + 1, 'drift/a', '1'),
        event(base + 2, 'drift/b', '2'),
      ]).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SnapshotIntegrityError);
      expect((failure as SnapshotIntegrityError).snapshot).toBe('Incr-drift');
    } finally {
      application.leases.stop();
    }
  });

  it("etcd's refusal comes back as its gRPC status and message", async () => {
    const twice = txns.encode({
      compare: [],
      success: [
        { request_put: { key: Buffer.from('twice'), value: Buffer.from('1') } },
        { request_put: { key: Buffer.from('twice'), value: Buffer.from('2') } },
      ],
    });
    const failure = await txns.txn(twice).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TxnStatusError);
    expect((failure as TxnStatusError).grpcStatus).toBe(3); // InvalidArgument
    expect((failure as Error).message).toMatch(/duplicate key/);
  });

  it('etcd stopping with transactions in flight settles every one of them', async () => {
    const doomed = await startTestEtcd('doomed-txns');
    const doomedTxns = new LoopbackTxnClient(doomed.endpoint);
    try {
      const requests = Array.from({ length: 200 }, (_, index) =>
        doomedTxns.encode({
          compare: [],
          success: [{ request_put: { key: Buffer.from(`doomed/${index}`), value: Buffer.alloc(4096) } }],
        }),
      );
      const answers = Promise.allSettled(requests.map((request) => doomedTxns.txn(request)));
      await doomed.stop();
      const settled = await answers;
      // Each one either applied (an answer with its revision) or failed with an error: none hangs.
      for (const answer of settled) {
        if (answer.status === 'fulfilled') expect(Number(answer.value.header.revision)).toBeGreaterThan(0);
        else expect(answer.reason).toBeInstanceOf(Error);
      }
      await expect(doomedTxns.txn(requests[0] as Buffer)).rejects.toThrow();
    } finally {
      doomedTxns.close();
      await doomed.stop();
    }
  });

  it('a connection that fails rejects the transactions, in flight or later', async () => {
    const unreachable = new LoopbackTxnClient('http://127.0.0.1:9');
    try {
      const request = unreachable.encode({ compare: [], success: [] });
      await expect(unreachable.txn(request)).rejects.toThrow();
      await expect(unreachable.txn(request)).rejects.toThrow();
    } finally {
      unreachable.close();
    }
  });
});
