import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  createReadStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CallLog,
  type FakeRequest,
  type FakeResponse,
  type FaultInjector,
  startFakeServer,
} from '@trellis/testkit/fake';
import { FAKE_ACCESS_KEY } from './ecs-fake-server.js';
import { verifyOssSignature } from './oss-signature.js';

/** An object the OSS fake holds (its bytes in a file, so large objects cost this process no memory). */
export interface FakeOssObject {
  readonly file: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  tags: Record<string, string>;
}

interface Upload {
  readonly key: string;
  readonly parts: Map<number, { file: string; etag: string }>;
}

interface Bucket {
  readonly objects: Map<string, FakeOssObject>;
  readonly uploads: Map<string, Upload>;
  config: Record<string, string>;
}

/** Options of {@link startOssFake}. */
export interface OssFakeOptions {
  /** @default the ECS fake's test key pair */
  readonly accessKeys?: Readonly<Record<string, string>>;
  /** @default a free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Take the bucket from the first path segment instead of the Host (a test knob: real OSS is virtual-hosted only). */
  readonly pathStyle?: boolean;
}

/** A running OSS fake. */
export interface OssFake {
  /** `http://127.0.0.1:<port>`: ali-oss's `endpoint`. */
  readonly url: string;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** The objects of a bucket (complete ones only). */
  objects(bucket: string): ReadonlyMap<string, FakeOssObject>;
  /** An object's bytes. */
  bytes(bucket: string, key: string): Buffer | undefined;
  /** Flips a byte of a stored object (a test of checksums). */
  corrupt(bucket: string, key: string, offset: number): void;
  /** Multipart uploads started and neither completed nor aborted. */
  pendingUploads(bucket: string): number;
  /** A bucket's configuration documents as sent (`lifecycle`, `encryption`, `acl`). */
  bucketConfig(bucket: string): Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
const xml = (status: number, body: string, headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers: { 'content-type': 'application/xml', 'x-oss-request-id': randomUUID(), ...headers },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
});
const ossError = (status: number, code: string, message: string, extra = ''): FakeResponse =>
  xml(
    status,
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${randomUUID()}</RequestId><HostId>oss.aliyuncs.com</HostId>${extra}</Error>`,
  );
/** MD5 of a request body, computed once (the Content-MD5 check and the ETag both need it, as OSS hashes once). */
const md5s = new WeakMap<Buffer, Buffer>();
const md5Of = (body: Buffer): Buffer => {
  let digest = md5s.get(body);
  if (!digest) {
    digest = createHash('md5').update(body).digest();
    md5s.set(body, digest);
  }
  return digest;
};
const quotedMd5 = (body: Buffer) => `"${md5Of(body).toString('hex').toUpperCase()}"`;
const values = (text: string, tag: string) =>
  [...text.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1]!);

/**
 * An offline OSS for tests, as `ali-oss` speaks to it: the bucket from the first Host label (path
 * style as an option), the V1 signature checked, `Content-MD5` checked when sent; buckets with their
 * ACL, encryption and lifecycle documents; put, get, head, delete; multipart uploads invisible until
 * completed (parts checked against the complete request's ETags), abort; object tagging; ListObjectsV2
 * with continuation tokens; OSS's XML shapes and errors (`NoSuchKey`, `NoSuchBucket`, `InvalidPart`,
 * `NoSuchUpload`, `InvalidDigest`, `SignatureDoesNotMatch`); the kit's faults and call log.
 */
export async function startOssFake(options: OssFakeOptions = {}): Promise<OssFake> {
  const secrets = new Map(
    Object.entries(options.accessKeys ?? { [FAKE_ACCESS_KEY.accessKeyId]: FAKE_ACCESS_KEY.accessKeySecret }),
  );
  const buckets = new Map<string, Bucket>();
  const directory = mkdtempSync(join(tmpdir(), 'trellis-oss-fake-'));
  let files = 0;
  const store = (body: Buffer): string => {
    files += 1;
    const file = join(directory, String(files));
    writeFileSync(file, body);
    return file;
  };

  const locate = (request: FakeRequest): { bucket: string | undefined; key: string } => {
    const path = decodeURIComponent(request.url.pathname.slice(1));
    if (options.pathStyle) {
      const [bucket, ...rest] = path.split('/');
      return { bucket: bucket || undefined, key: rest.join('/') };
    }
    const host = String(request.headers.host ?? '');
    const label = host.split('.')[0] ?? '';
    return {
      bucket: host.includes('.oss-') || host.includes('.aliyuncs.com') ? label : undefined,
      key: path,
    };
  };

  const actionOf = (request: FakeRequest): string => {
    const { key } = locate(request);
    const query = request.url.searchParams;
    const sub = ['uploads', 'uploadId', 'tagging', 'lifecycle', 'encryption', 'acl'].find((name) =>
      query.has(name),
    );
    return `${request.method} ${key ? 'object' : 'bucket'}${sub ? `?${sub}` : ''}`;
  };

  const handle = (request: FakeRequest): FakeResponse => {
    const { bucket: name, key } = locate(request);
    if (!verifyOssSignature(request, name, key, secrets))
      return ossError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    if (!name) return ossError(400, 'InvalidBucketName', 'No bucket in the request.');
    const sentMd5 = request.headers['content-md5'];
    if (typeof sentMd5 === 'string' && md5Of(request.body).toString('base64') !== sentMd5)
      return ossError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
    const query = request.url.searchParams;
    const method = request.method;
    const bucket = buckets.get(name);
    if (!key) {
      if (method === 'PUT' && [...query.keys()].length === 0) {
        if (!bucket) buckets.set(name, { objects: new Map(), uploads: new Map(), config: {} });
        else return ossError(409, 'BucketAlreadyExists', 'The requested bucket name is not available.');
        const acl = request.headers['x-oss-acl'];
        buckets.get(name)!.config.acl = typeof acl === 'string' ? acl : 'private';
        return xml(200, '');
      }
      if (!bucket)
        return ossError(
          404,
          'NoSuchBucket',
          'The specified bucket does not exist.',
          `<BucketName>${name}</BucketName>`,
        );
      for (const document of ['lifecycle', 'encryption']) {
        if (!query.has(document)) continue;
        if (method === 'PUT') {
          bucket.config[document] = request.body.toString('utf8');
          return xml(200, '');
        }
        if (method === 'GET') {
          const stored = bucket.config[document];
          return stored
            ? xml(200, stored.replace(/^<\?xml[^>]*>\s*/, ''))
            : ossError(
                404,
                document === 'lifecycle' ? 'NoSuchLifecycle' : 'NoSuchServerSideEncryptionRule',
                `No ${document} configuration.`,
              );
        }
      }
      if (method === 'GET' && query.get('list-type') === '2') {
        const prefix = query.get('prefix') ?? '';
        const maxKeys = Math.min(1000, Number(query.get('max-keys') ?? 100) || 100);
        const start = query.get('continuation-token')
          ? Buffer.from(query.get('continuation-token')!, 'base64url').toString('utf8')
          : '';
        const keys = [...bucket.objects.keys()]
          .filter((candidate) => candidate.startsWith(prefix) && candidate > start)
          .sort();
        const page = keys.slice(0, maxKeys);
        const truncated = keys.length > page.length;
        const contents = page
          .map((objectKey) => {
            const object = bucket!.objects.get(objectKey)!;
            return `<Contents><Key>${escapeXml(objectKey)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${escapeXml(object.etag)}</ETag><Type>Normal</Type><Size>${object.size}</Size><StorageClass>Standard</StorageClass></Contents>`;
          })
          .join('');
        return xml(
          200,
          `<ListBucketResult><Name>${name}</Name><Prefix>${escapeXml(prefix)}</Prefix><MaxKeys>${maxKeys}</MaxKeys><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString('base64url')}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
        );
      }
      return ossError(
        400,
        'NotImplemented',
        `The fake does not serve ${method} on a bucket with ${request.url.search}.`,
      );
    }
    if (!bucket)
      return ossError(
        404,
        'NoSuchBucket',
        'The specified bucket does not exist.',
        `<BucketName>${name}</BucketName>`,
      );
    if (query.has('uploads') && method === 'POST') {
      const uploadId = randomBytes(16).toString('hex').toUpperCase();
      bucket.uploads.set(uploadId, { key, parts: new Map() });
      return xml(
        200,
        `<InitiateMultipartUploadResult><Bucket>${name}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    const uploadId = query.get('uploadId');
    if (uploadId !== null) {
      const upload = bucket.uploads.get(uploadId);
      if (!upload || upload.key !== key)
        return ossError(404, 'NoSuchUpload', 'The specified upload does not exist.');
      if (method === 'PUT') {
        const number = Number(query.get('partNumber'));
        if (!Number.isInteger(number) || number < 1 || number > 10_000)
          return ossError(400, 'InvalidArgument', 'Part number must be 1 to 10000.');
        const etag = quotedMd5(request.body);
        upload.parts.set(number, { file: store(request.body), etag });
        return { status: 200, headers: { etag, 'x-oss-request-id': randomUUID() }, body: '' };
      }
      if (method === 'DELETE') {
        bucket.uploads.delete(uploadId);
        return { status: 204, headers: { 'x-oss-request-id': randomUUID() } };
      }
      if (method === 'POST') {
        const listed = values(request.body.toString('utf8'), 'Part').map((part) => ({
          number: Number(values(part, 'PartNumber')[0]),
          etag: values(part, 'ETag')[0]?.replace(/&quot;/g, '"') ?? '',
        }));
        if (listed.length === 0) return ossError(400, 'MalformedXML', 'No parts in the complete request.');
        let previous = 0;
        for (const part of listed) {
          const stored = upload.parts.get(part.number);
          if (part.number <= previous)
            return ossError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
          previous = part.number;
          if (!stored || stored.etag !== part.etag)
            return ossError(400, 'InvalidPart', `Part ${part.number} is missing or its ETag does not match.`);
        }
        const file = store(Buffer.alloc(0));
        for (const part of listed) appendFileSync(file, readFileSync(upload.parts.get(part.number)!.file));
        const etag = `"${createHash('md5')
          .update(
            Buffer.concat(
              listed.map((part) => Buffer.from(upload.parts.get(part.number)!.etag.slice(1, -1), 'hex')),
            ),
          )
          .digest('hex')
          .toUpperCase()}-${listed.length}"`;
        bucket.objects.set(key, {
          file,
          size: statSync(file).size,
          etag,
          lastModified: new Date(),
          tags: {},
        });
        bucket.uploads.delete(uploadId);
        return xml(
          200,
          `<CompleteMultipartUploadResult><Location>http://${name}.oss/${escapeXml(key)}</Location><Bucket>${name}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`,
        );
      }
    }
    const object = bucket.objects.get(key);
    if (query.has('tagging')) {
      if (!object)
        return ossError(
          404,
          'NoSuchKey',
          'The specified key does not exist.',
          `<Key>${escapeXml(key)}</Key>`,
        );
      if (method === 'PUT') {
        const text = request.body.toString('utf8');
        object.tags = Object.fromEntries(
          values(text, 'Tag').map((tag) => [values(tag, 'Key')[0] ?? '', values(tag, 'Value')[0] ?? '']),
        );
        return xml(200, '');
      }
      const tags = Object.entries(object.tags)
        .map(
          ([tagKey, value]) => `<Tag><Key>${escapeXml(tagKey)}</Key><Value>${escapeXml(value)}</Value></Tag>`,
        )
        .join('');
      return xml(200, `<Tagging><TagSet>${tags}</TagSet></Tagging>`);
    }
    if (method === 'PUT') {
      const etag = quotedMd5(request.body);
      bucket.objects.set(key, {
        file: store(request.body),
        size: request.body.length,
        etag,
        lastModified: new Date(),
        tags: {},
      });
      return { status: 200, headers: { etag, 'x-oss-request-id': randomUUID() }, body: '' };
    }
    if (method === 'DELETE') {
      bucket.objects.delete(key);
      return { status: 204, headers: { 'x-oss-request-id': randomUUID() } };
    }
    if (!object) {
      if (method === 'HEAD') return { status: 404, headers: { 'x-oss-request-id': randomUUID() } };
      return ossError(404, 'NoSuchKey', 'The specified key does not exist.', `<Key>${escapeXml(key)}</Key>`);
    }
    const headers = {
      etag: object.etag,
      'content-length': String(object.size),
      'content-type': 'application/octet-stream',
      'last-modified': object.lastModified.toUTCString(),
      'x-oss-request-id': randomUUID(),
    };
    if (method === 'HEAD') return { status: 200, headers };
    if (method === 'GET')
      return {
        status: 200,
        headers,
        stream: async function* (closed) {
          for await (const chunk of createReadStream(object.file)) {
            if (closed.aborted) return;
            yield chunk as Buffer;
          }
        },
      };
    return ossError(405, 'MethodNotAllowed', `${method} is not allowed on an object.`);
  };

  const server = await startFakeServer({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    actionOf,
    handle,
    renderFault: (kind, _request, status) =>
      kind === 'throttle'
        ? ossError(503, 'ServiceUnavailable', 'Please reduce your request rate.')
        : ossError(status, 'InternalError', 'We encountered an internal error. Please try again.'),
  });
  return {
    url: server.url,
    calls: server.calls,
    faults: server.faults,
    objects: (name) => buckets.get(name)?.objects ?? new Map(),
    bytes: (name, key) => {
      const object = buckets.get(name)?.objects.get(key);
      return object ? readFileSync(object.file) : undefined;
    },
    corrupt(name, key, offset) {
      const object = buckets.get(name)?.objects.get(key);
      if (!object) throw new Error(`no object ${name}/${key}`);
      const bytes = readFileSync(object.file);
      bytes[offset] = bytes[offset]! ^ 0xff;
      writeFileSync(object.file, bytes);
    },
    pendingUploads: (name) => buckets.get(name)?.uploads.size ?? 0,
    bucketConfig: (name) => ({ ...(buckets.get(name)?.config ?? {}) }),
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
