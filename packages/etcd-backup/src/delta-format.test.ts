import { describe, expect, it } from 'vitest';
import { type DeltaEvent, decodeDeltaPayload, encodeDeltaPayload } from './delta-format.js';
import { SnapshotIntegrityError } from './errors.js';

const put: DeltaEvent = {
  type: 'PUT',
  kv: {
    key: Buffer.from('/registry/pods/a'),
    value: Buffer.from([0, 1, 255]),
    createRevision: 5,
    modRevision: 7,
    version: 2,
    lease: '7587862138093473549', // above 2^53: must survive as digits
  },
  time: new Date('2026-01-01T00:00:00.000Z'),
  leaseGrantedTtl: 60,
};
const remove: DeltaEvent = {
  type: 'DELETE',
  kv: {
    key: Buffer.from('gone'),
    value: Buffer.alloc(0),
    createRevision: 0,
    modRevision: 8,
    version: 0,
    lease: '0',
  },
  prevKv: {
    key: Buffer.from('gone'),
    value: Buffer.from('x'),
    createRevision: 3,
    modRevision: 3,
    version: 1,
    lease: '0',
  },
  time: new Date('2026-01-01T00:00:01.000Z'),
};

async function payloadOf(events: DeltaEvent[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of encodeDeltaPayload(
    (async function* () {
      yield* events;
    })(),
  ))
    chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('delta payload', () => {
  it("is etcd-backup-restore's JSON array of {etcdEvent, time} followed by a raw sha256", async () => {
    const payload = await payloadOf([put, remove]);
    const json = JSON.parse(payload.subarray(0, -32).toString());
    expect(json).toHaveLength(2);
    expect(json[0].etcdEvent.type).toBeUndefined(); // PUT is 0, omitted like Go's omitempty
    expect(json[0].etcdEvent.kv.key).toBe(Buffer.from('/registry/pods/a').toString('base64'));
    expect(json[0].etcdEvent.kv.mod_revision).toBe(7);
    expect(json[0].time).toBe('2026-01-01T00:00:00.000Z');
    expect(json[1].etcdEvent.type).toBe(1);
    expect(json[1].etcdEvent.prev_kv.value).toBe(Buffer.from('x').toString('base64'));
  });

  it('round-trips events, including int64 lease ids exactly', async () => {
    expect(decodeDeltaPayload(await payloadOf([put, remove]), 'Incr-1')).toEqual([put, remove]);
  });

  it('refuses a payload whose sha256 does not match, naming the snapshot', async () => {
    const payload = await payloadOf([put]);
    payload[10] = payload[10] === 0x41 ? 0x42 : 0x41;
    expect(() => decodeDeltaPayload(payload, 'Incr-00000007-00000007-1.gz')).toThrow(SnapshotIntegrityError);
    expect(() => decodeDeltaPayload(payload, 'Incr-00000007-00000007-1.gz')).toThrow(
      /Incr-00000007-00000007-1\.gz.*sha256/,
    );
    expect(() => decodeDeltaPayload(payload.subarray(0, 20), 'Incr-x')).toThrow(/truncated/);
  });
});
