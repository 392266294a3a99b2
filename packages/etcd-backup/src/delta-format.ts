import { createHash } from 'node:crypto';
import { SnapshotIntegrityError } from './errors.js';

/**
 * One key-value as etcd's mvcc stores it. Lease ids are int64 and kept as decimal strings;
 * revisions fit in a safe integer.
 */
export interface DeltaKeyValue {
  key: Buffer;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  /** Lease id as a decimal string; `'0'` for none. */
  lease: string;
}

/** One watch event of a delta snapshot. */
export interface DeltaEvent {
  type: 'PUT' | 'DELETE';
  kv: DeltaKeyValue;
  prevKv?: DeltaKeyValue;
  /** When the snapshotter received the event. */
  time: Date;
  /** Granted TTL in seconds of the put's lease, when known (a Trellis extension). */
  leaseGrantedTtl?: number;
}

/** Size of the sha256 digest appended to a delta payload. */
export const DELTA_HASH_SIZE = 32;

function keyValueJson(kv: DeltaKeyValue): string {
  // Go's encoding/json of mvccpb.KeyValue: omitempty fields, []byte as base64, int64 as numbers.
  const fields: string[] = [];
  if (kv.key.length) fields.push(`"key":"${kv.key.toString('base64')}"`);
  if (kv.createRevision) fields.push(`"create_revision":${kv.createRevision}`);
  if (kv.modRevision) fields.push(`"mod_revision":${kv.modRevision}`);
  if (kv.version) fields.push(`"version":${kv.version}`);
  if (kv.value.length) fields.push(`"value":"${kv.value.toString('base64')}"`);
  if (kv.lease !== '0' && /^-?\d+$/.test(kv.lease)) fields.push(`"lease":${kv.lease}`);
  return `{${fields.join(',')}}`;
}

/**
 * One event as etcd-backup-restore writes it: `{"etcdEvent":<mvccpb.Event>,"time":<RFC 3339>}`
 * (`type` 1 is DELETE; PUT, 0, is omitted like Go's omitempty does).
 */
export function encodeDeltaEvent(event: DeltaEvent): string {
  const parts = [];
  if (event.type === 'DELETE') parts.push('"type":1');
  parts.push(`"kv":${keyValueJson(event.kv)}`);
  if (event.prevKv) parts.push(`"prev_kv":${keyValueJson(event.prevKv)}`);
  const ttl = event.leaseGrantedTtl === undefined ? '' : `,"leaseGrantedTtl":${event.leaseGrantedTtl}`;
  return `{"etcdEvent":{${parts.join(',')}},"time":"${event.time.toISOString()}"${ttl}}`;
}

/**
 * Encodes events as etcd-backup-restore's delta payload: a JSON array of events (one per line
 * here) followed by the raw 32-byte sha256 of the array's bytes. Streams: holds one event at a time.
 */
export async function* encodeDeltaPayload(events: AsyncIterable<DeltaEvent>): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  const emit = (text: string) => {
    const bytes = Buffer.from(text);
    hash.update(bytes);
    return bytes;
  };
  let first = true;
  for await (const event of events) {
    yield emit(`${first ? '[\n' : ',\n'}${encodeDeltaEvent(event)}`);
    first = false;
  }
  yield emit(first ? '[]' : '\n]');
  yield hash.digest();
}

interface JsonKeyValue {
  key?: string;
  value?: string;
  create_revision?: number;
  mod_revision?: number;
  version?: number;
  lease?: string;
}

function decodeKeyValue(json: JsonKeyValue | undefined): DeltaKeyValue | undefined {
  if (!json) return undefined;
  return {
    key: Buffer.from(json.key ?? '', 'base64'),
    value: Buffer.from(json.value ?? '', 'base64'),
    createRevision: Number(json.create_revision ?? 0),
    modRevision: Number(json.mod_revision ?? 0),
    version: Number(json.version ?? 0),
    lease: json.lease ?? '0',
  };
}

/**
 * Verifies and decodes a (decompressed) delta payload. Rejects with
 * {@link SnapshotIntegrityError} naming `snapshotName` when the sha256 or the JSON is wrong.
 */
export function decodeDeltaPayload(payload: Buffer, snapshotName: string): DeltaEvent[] {
  if (payload.length < DELTA_HASH_SIZE + 2) {
    throw new SnapshotIntegrityError(snapshotName, `delta payload is truncated (${payload.length} bytes)`);
  }
  const body = payload.subarray(0, payload.length - DELTA_HASH_SIZE);
  const expected = payload.subarray(payload.length - DELTA_HASH_SIZE);
  const actual = createHash('sha256').update(body).digest();
  if (!actual.equals(expected)) {
    throw new SnapshotIntegrityError(snapshotName, 'sha256 of the delta events does not match');
  }
  let parsed: unknown;
  try {
    // Lease ids are int64: keep their source digits instead of a lossy double.
    parsed = JSON.parse(
      body.toString('utf8'),
      function (this: unknown, key, value, context?: { source?: string }) {
        if (key === 'lease' && typeof value === 'number') return context?.source ?? String(value);
        return value;
      },
    );
  } catch (error) {
    throw new SnapshotIntegrityError(snapshotName, 'delta events are not valid JSON', error);
  }
  if (!Array.isArray(parsed))
    throw new SnapshotIntegrityError(snapshotName, 'delta events are not a JSON array');
  return parsed.map(
    (entry: {
      etcdEvent?: { type?: number | string; kv?: JsonKeyValue; prev_kv?: JsonKeyValue };
      time?: string;
      leaseGrantedTtl?: number;
    }) => {
      const etcdEvent = entry.etcdEvent;
      const kv = decodeKeyValue(etcdEvent?.kv);
      if (!etcdEvent || !kv) throw new SnapshotIntegrityError(snapshotName, 'an event has no key-value');
      const isDelete = etcdEvent.type === 1 || etcdEvent.type === 'DELETE';
      const event: DeltaEvent = { type: isDelete ? 'DELETE' : 'PUT', kv, time: new Date(entry.time ?? 0) };
      const prevKv = decodeKeyValue(etcdEvent.prev_kv);
      if (prevKv) event.prevKv = prevKv;
      if (typeof entry.leaseGrantedTtl === 'number') event.leaseGrantedTtl = entry.leaseGrantedTtl;
      return event;
    },
  );
}
