import { createHash, randomUUID } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import {
  type CallLog,
  type FakeRequest,
  type FakeResponse,
  FakeRouter,
  FaultInjector,
  jsonResponse,
  type RouteMatch,
  readJson,
  startFakeServer,
} from '@trellis/testkit/fake';

/** One stored object. */
interface StoredObject {
  name: string;
  data: Buffer;
  generation: string;
  metadata: Record<string, string>;
  contentType: string;
  created: string;
  /** Hashes of the bytes as uploaded (a later corruption does not change them, as on disk). */
  md5Hash: string;
  crc32c: string;
}

interface Bucket {
  name: string;
  resource: Record<string, unknown>;
  objects: Map<string, StoredObject>;
}

interface Session {
  bucket: string;
  name: string;
  metadata: Record<string, string>;
  contentType: string;
  chunks: Buffer[];
  received: number;
  ifGenerationMatch?: string;
}

const error = (code: number, reason: string, message: string) =>
  jsonResponse(code, { error: { code, message, errors: [{ message, domain: 'global', reason }] } });

/** A running GCS fake. */
export interface GcsFake {
  /** `http://127.0.0.1:<port>`: the `apiEndpoint` of `@google-cloud/storage`. */
  readonly url: string;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** Names of the complete objects of a bucket (never an unfinished upload). */
  objectNames(bucket: string): string[];
  /** Open resumable upload sessions (uploads started and not finished). */
  openUploads(): number;
  /** Flips one stored byte of an object (for corruption tests). */
  corrupt(bucket: string, name: string): void;
  close(): Promise<void>;
}

/**
 * Starts an offline GCS fake speaking the JSON API `@google-cloud/storage` uses: buckets (insert,
 * get, patch, delete), resumable uploads (sessions, `Content-Range` chunks, `308` with `Range`,
 * status queries), single-request multipart uploads, `ifGenerationMatch`, objects that exist only
 * once their upload finished, paged lists with `prefix` / `delimiter`, media downloads with
 * `Range` and the `x-goog-hash` header (real CRC32C and MD5), GCS's error bodies, the fake kit's
 * faults and call log.
 */
export async function startGcsFake(options: { seed?: number; port?: number } = {}): Promise<GcsFake> {
  const buckets = new Map<string, Bucket>();
  const sessions = new Map<string, Session>();
  let baseUrl = '';
  let generation = 1_700_000_000_000_000;

  const objectResource = (bucket: string, object: StoredObject) => {
    return {
      kind: 'storage#object',
      id: `${bucket}/${object.name}/${object.generation}`,
      name: object.name,
      bucket,
      generation: object.generation,
      metageneration: '1',
      contentType: object.contentType,
      size: String(object.data.length),
      md5Hash: object.md5Hash,
      crc32c: object.crc32c,
      etag: `"${object.generation}"`,
      timeCreated: object.created,
      updated: object.created,
      storageClass: 'STANDARD',
      selfLink: `${baseUrl}/storage/v1/b/${bucket}/o/${encodeURIComponent(object.name)}`,
      mediaLink: `${baseUrl}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(object.name)}?alt=media`,
      metadata: object.metadata,
    };
  };

  const bucketOf = (match: RouteMatch) => buckets.get(match.params.bucket!);

  const commit = (session: Session): FakeResponse => {
    const bucket = buckets.get(session.bucket);
    if (!bucket) return error(404, 'notFound', 'The specified bucket does not exist.');
    const existing = bucket.objects.get(session.name);
    if (
      session.ifGenerationMatch !== undefined &&
      (existing?.generation ?? '0') !== session.ifGenerationMatch
    ) {
      return error(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    }
    generation += 1;
    const data = Buffer.concat(session.chunks);
    const crc = new CRC32C();
    crc.update(data);
    const object: StoredObject = {
      name: session.name,
      data,
      md5Hash: createHash('md5').update(data).digest('base64'),
      crc32c: crc.toString(),
      generation: String(generation),
      metadata: session.metadata,
      contentType: session.contentType,
      created: new Date().toISOString(),
    };
    bucket.objects.set(session.name, object);
    return jsonResponse(200, objectResource(session.bucket, object));
  };

  const router = new FakeRouter((request) =>
    error(404, 'notFound', `No such route: ${request.method} ${request.url.pathname}`),
  )
    .add('POST', '/storage/v1/b', 'storage.buckets.insert', ({ request }) => {
      const body = readJson<Record<string, unknown>>(request) ?? {};
      const name = String(body.name ?? '');
      if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(name))
        return error(400, 'invalid', 'Invalid bucket name');
      if (buckets.has(name))
        return error(
          409,
          'conflict',
          'Your previous request to create the named bucket succeeded and you already own it.',
        );
      const resource = {
        kind: 'storage#bucket',
        ...body,
        name,
        id: name,
        metageneration: '1',
        timeCreated: new Date().toISOString(),
      };
      buckets.set(name, { name, resource, objects: new Map() });
      return jsonResponse(200, resource);
    })
    .add('GET', '/storage/v1/b/{bucket}', 'storage.buckets.get', (match) => {
      const bucket = bucketOf(match);
      return bucket
        ? jsonResponse(200, bucket.resource)
        : error(404, 'notFound', 'The specified bucket does not exist.');
    })
    .add('PATCH', '/storage/v1/b/{bucket}', 'storage.buckets.patch', (match) => {
      const bucket = bucketOf(match);
      if (!bucket) return error(404, 'notFound', 'The specified bucket does not exist.');
      bucket.resource = { ...bucket.resource, ...readJson<Record<string, unknown>>(match.request) };
      return jsonResponse(200, bucket.resource);
    })
    .add('DELETE', '/storage/v1/b/{bucket}', 'storage.buckets.delete', (match) => {
      const bucket = bucketOf(match);
      if (!bucket) return error(404, 'notFound', 'The specified bucket does not exist.');
      if (bucket.objects.size > 0)
        return error(409, 'conflict', 'The bucket you tried to delete is not empty.');
      buckets.delete(bucket.name);
      return { status: 204 };
    })
    .add('POST', '/upload/storage/v1/b/{bucket}/o', 'storage.objects.insert', (match) => {
      const bucket = bucketOf(match);
      if (!bucket) return error(404, 'notFound', 'The specified bucket does not exist.');
      const uploadType = match.query.get('uploadType');
      const ifGenerationMatch = match.query.get('ifGenerationMatch') ?? undefined;
      if (uploadType === 'resumable') {
        const body =
          readJson<{ name?: string; metadata?: Record<string, string>; contentType?: string }>(
            match.request,
          ) ?? {};
        const name = match.query.get('name') ?? body.name;
        if (!name) return error(400, 'required', 'Required object name');
        const id = randomUUID();
        sessions.set(id, {
          bucket: bucket.name,
          name,
          metadata: body.metadata ?? {},
          contentType: body.contentType ?? 'application/octet-stream',
          chunks: [],
          received: 0,
          ...(ifGenerationMatch === undefined ? {} : { ifGenerationMatch }),
        });
        const location = `${baseUrl}/upload/storage/v1/b/${bucket.name}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
        return { status: 200, headers: { location, 'content-type': 'application/json' }, body: '' };
      }
      if (uploadType === 'multipart') {
        const type = String(match.request.headers['content-type'] ?? '');
        const boundary = /boundary=([^;]+)/.exec(type)?.[1];
        if (!boundary) return error(400, 'invalid', 'multipart upload without a boundary');
        const parts = match.request.body
          .toString('latin1')
          .split(`--${boundary}`)
          .slice(1, -1)
          .map((part) => part.replace(/^\r\n/, '').replace(/\r\n$/, ''));
        const [metadataPart, dataPart] = parts.map((part) => part.slice(part.indexOf('\r\n\r\n') + 4));
        const metadata = JSON.parse(metadataPart ?? '{}') as {
          name?: string;
          metadata?: Record<string, string>;
          contentType?: string;
        };
        return commit({
          bucket: bucket.name,
          name: match.query.get('name') ?? metadata.name ?? '',
          metadata: metadata.metadata ?? {},
          contentType: metadata.contentType ?? 'application/octet-stream',
          chunks: [Buffer.from(dataPart ?? '', 'latin1')],
          received: 0,
          ...(ifGenerationMatch === undefined ? {} : { ifGenerationMatch }),
        });
      }
      return error(400, 'invalid', `unsupported uploadType ${uploadType}`);
    })
    .add('PUT', '/upload/storage/v1/b/{bucket}/o', 'storage.objects.upload', ({ request, query }) => {
      const id = query.get('upload_id') ?? '';
      const session = sessions.get(id);
      if (!session)
        return error(404, 'notFound', 'No such upload session (finished, canceled or never started).');
      const range = String(request.headers['content-range'] ?? '');
      const status = /^bytes \*\/(\*|\d+)$/.exec(range);
      const chunk = /^bytes (\d+)-(\d+|\*)\/(\*|\d+)$/.exec(range);
      // An empty last request: the client sends `bytes <n>--1/<n>` (nothing more, total n).
      const emptyLast = /^bytes (\d+)--1\/(\d+)$/.exec(range);
      if (emptyLast && Number(emptyLast[2]) === session.received) {
        sessions.delete(id);
        return commit(session);
      }
      const incomplete = () =>
        session.received > 0
          ? { status: 308, headers: { range: `bytes=0-${session.received - 1}` }, body: '' }
          : { status: 308, body: '' };
      if (status) {
        if (status[1] !== '*' && Number(status[1]) === session.received) {
          sessions.delete(id);
          return commit(session);
        }
        return incomplete();
      }
      if (!chunk && range !== '') return error(400, 'invalid', `bad Content-Range ${range}`);
      const start = chunk ? Number(chunk[1]) : 0;
      if (start > session.received)
        return error(400, 'invalid', `chunk starts at ${start}, received ${session.received}`);
      const data = request.body.subarray(session.received - start);
      session.chunks.push(Buffer.from(data));
      session.received += data.length;
      const total = chunk?.[3];
      const last =
        !chunk ||
        chunk[2] === '*' ||
        (total !== undefined && total !== '*' && session.received >= Number(total));
      if (!last) return incomplete();
      sessions.delete(id);
      return commit(session);
    })
    .add('DELETE', '/upload/storage/v1/b/{bucket}/o', 'storage.objects.cancelUpload', ({ query }) => {
      sessions.delete(query.get('upload_id') ?? '');
      return { status: 499, body: '' };
    })
    .add('GET', '/storage/v1/b/{bucket}/o', 'storage.objects.list', (match) => {
      const bucket = bucketOf(match);
      if (!bucket) return error(404, 'notFound', 'The specified bucket does not exist.');
      const prefix = match.query.get('prefix') ?? '';
      const delimiter = match.query.get('delimiter');
      const max = Math.min(1000, Number(match.query.get('maxResults') ?? 1000) || 1000);
      const names = [...bucket.objects.keys()].filter((name) => name.startsWith(prefix)).sort();
      const prefixes = new Set<string>();
      const items: StoredObject[] = [];
      for (const name of names) {
        const rest = name.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + 1));
        else items.push(bucket.objects.get(name)!);
      }
      const start = Number(match.query.get('pageToken') ?? 0);
      const page = items.slice(start, start + max);
      return jsonResponse(200, {
        kind: 'storage#objects',
        ...(page.length ? { items: page.map((object) => objectResource(bucket.name, object)) } : {}),
        ...(prefixes.size ? { prefixes: [...prefixes] } : {}),
        ...(start + max < items.length ? { nextPageToken: String(start + max) } : {}),
      });
    })
    .add('GET', '/storage/v1/b/{bucket}/o/{object*}', 'storage.objects.get', (match) => {
      const bucket = bucketOf(match);
      const object = bucket?.objects.get(match.params.object!);
      if (!bucket || !object)
        return error(404, 'notFound', `No such object: ${match.params.bucket}/${match.params.object}`);
      const resource = objectResource(bucket.name, object);
      if (match.query.get('alt') !== 'media') return jsonResponse(200, resource);
      const headers = {
        'content-type': object.contentType,
        'x-goog-hash': `crc32c=${resource.crc32c},md5=${resource.md5Hash}`,
        'x-goog-generation': object.generation,
        'x-goog-stored-content-length': String(object.data.length),
        'x-goog-stored-content-encoding': 'identity',
      };
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(match.request.headers.range ?? ''));
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), object.data.length - 1) : object.data.length - 1;
        return {
          status: 206,
          headers: { ...headers, 'content-range': `bytes ${start}-${end}/${object.data.length}` },
          body: object.data.subarray(start, end + 1),
        };
      }
      return { status: 200, headers, body: object.data };
    })
    .add('DELETE', '/storage/v1/b/{bucket}/o/{object*}', 'storage.objects.delete', (match) => {
      const bucket = bucketOf(match);
      if (!bucket?.objects.delete(match.params.object!)) {
        return error(404, 'notFound', `No such object: ${match.params.bucket}/${match.params.object}`);
      }
      return { status: 204 };
    });

  const server = await startFakeServer({
    actionOf: router.actionOf,
    handle: async (request: FakeRequest) => {
      try {
        return await router.handle(request);
      } catch (caught) {
        return error(400, 'invalid', caught instanceof Error ? caught.message : String(caught));
      }
    },
    renderFault: (kind, _request, status) =>
      kind === 'throttle'
        ? error(429, 'rateLimitExceeded', 'The rate of change requests to the object is too high.')
        : error(status, 'backendError', 'Backend Error'),
    faults: new FaultInjector({ seed: options.seed ?? 1 }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  baseUrl = server.url;
  return {
    url: server.url,
    calls: server.calls,
    faults: server.faults,
    objectNames: (bucket) => [...(buckets.get(bucket)?.objects.keys() ?? [])].sort(),
    openUploads: () => sessions.size,
    corrupt(bucket, name) {
      const object = buckets.get(bucket)?.objects.get(name);
      if (object) {
        const middle = Math.floor(object.data.length / 2);
        object.data[middle] = (object.data[middle] ?? 0) ^ 0xff;
      }
    },
    close: () => server.close(),
  };
}
