import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync, gzipSync } from 'node:zlib';
import type { CompressionSuffix } from '@trellis/core';
import { lzwEncode, watchRevisions } from '@trellis/etcd-backup';
import type { Etcd3, IEvent, IKeyValue } from 'etcd3';

const run = promisify(execFile);

/**
 * Test fixtures in etcd-backup-restore's exact shapes, made from its documented format: the full
 * snapshot is `etcdctl snapshot save`'s file (etcd's snapshot stream, the database and its sha256),
 * a delta is `json.Marshal([]event)` of `{"etcdEvent":<clientv3.Event>,"time":<RFC 3339 nanos>}`
 * (no spaces, no newlines, no Trellis fields) followed by the raw sha256 of that JSON, and both are
 * compressed as its compressors do (gzip `.gz`, zlib `.zlib`, Go LZW `.Z`, or none).
 */
export function compress(bytes: Buffer, suffix: CompressionSuffix): Buffer {
  if (suffix === '.gz') return gzipSync(bytes);
  if (suffix === '.zlib') return deflateSync(bytes);
  if (suffix === '.Z') return lzwEncode(bytes);
  return bytes;
}

/** Go's `time.Time` JSON: RFC 3339 with nanoseconds (trailing zeros trimmed), UTC. */
function goTime(date: Date, nanos: number): string {
  const fraction =
    `${String(date.getUTCMilliseconds()).padStart(3, '0')}${String(nanos).padStart(6, '0')}`.replace(
      /0+$/,
      '',
    );
  return `${date.toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** mvccpb.KeyValue as Go's encoding/json writes it (field order, omitempty, []byte as base64). */
function keyValueJson(kv: IKeyValue): string {
  const fields: string[] = [];
  if (kv.key.length) fields.push(`"key":"${kv.key.toString('base64')}"`);
  if (Number(kv.create_revision)) fields.push(`"create_revision":${kv.create_revision}`);
  if (Number(kv.mod_revision)) fields.push(`"mod_revision":${kv.mod_revision}`);
  if (Number(kv.version)) fields.push(`"version":${kv.version}`);
  if (kv.value.length) fields.push(`"value":"${kv.value.toString('base64')}"`);
  if (kv.lease && kv.lease !== '0') fields.push(`"lease":${kv.lease}`);
  return `{${fields.join(',')}}`;
}

/** One delta payload in etcd-backup-restore's shape. */
export function ebrDeltaPayload(events: IEvent[], time: Date): Buffer {
  const json = `[${events
    .map((event, index) => {
      const parts: string[] = [];
      if (event.type === 'Delete') parts.push('"type":1');
      parts.push(`"kv":${keyValueJson(event.kv)}`);
      if (event.prev_kv) parts.push(`"prev_kv":${keyValueJson(event.prev_kv)}`);
      return `{"etcdEvent":{${parts.join(',')}},"time":"${goTime(time, 123_456 + index)}"}`;
    })
    .join(',')}]`;
  const body = Buffer.from(json);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** The watch events of revisions `from..to`, as etcd-backup-restore's snapshotter receives them. */
export async function eventsBetween(client: Etcd3, from: number, to: number): Promise<IEvent[]> {
  const events: IEvent[] = [];
  for await (const event of watchRevisions(client, from, to)) events.push(event);
  return events;
}

/** `etcdctl snapshot save` of a running etcd: the full snapshot's bytes. */
export async function etcdctlSnapshot(endpoint: string, file: string): Promise<Buffer> {
  await run('etcdctl', ['--endpoints', endpoint, 'snapshot', 'save', file], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  return readFile(file);
}

/** Writes a file, making its directories. */
export async function put(file: string, bytes: Buffer | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

/** `<directory>/<prefix>/v2/<name>`. */
export const v2Path = (directory: string, prefix: string, name: string) =>
  join(directory, prefix, 'v2', name);
