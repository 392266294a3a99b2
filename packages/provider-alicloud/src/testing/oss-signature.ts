import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FakeRequest } from '@trellis/testkit/fake';

/** Query parameters OSS signs as sub-resources (the rest — `prefix`, `max-keys`, `list-type` — it does not). */
const SIGNED_SUBRESOURCES = new Set([
  'acl',
  'uploads',
  'location',
  'cors',
  'logging',
  'website',
  'referer',
  'lifecycle',
  'delete',
  'append',
  'tagging',
  'objectMeta',
  'uploadId',
  'partNumber',
  'security-token',
  'position',
  'restore',
  'encryption',
  'versioning',
  'versions',
  'versionId',
  'continuation-token',
  'worm',
  'wormId',
  'wormExtend',
  'policy',
  'bucketInfo',
  'stat',
  'symlink',
  'x-oss-process',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

const header = (request: FakeRequest, name: string): string =>
  String((Array.isArray(request.headers[name]) ? request.headers[name]?.[0] : request.headers[name]) ?? '');

/**
 * Checks an OSS V1 signature: `Authorization: OSS <id>:<base64 HMAC-SHA1(secret, string to sign)>`
 * with the string to sign `VERB\nContent-MD5\nContent-Type\n<Date or x-oss-date>\n` + the `x-oss-*`
 * headers (lower-case, sorted, `name:value\n`) + `/<bucket>/<key>` + the signed sub-resources
 * (sorted, `k` or `k=v`, joined by `&`). Returns the access key id, or undefined when it does not match.
 */
export function verifyOssSignature(
  request: FakeRequest,
  bucket: string | undefined,
  key: string,
  secrets: ReadonlyMap<string, string>,
): string | undefined {
  const match = /^OSS ([^:]+):(.+)$/.exec(header(request, 'authorization'));
  if (!match) return undefined;
  const [, accessKeyId, signature] = match as unknown as [string, string, string];
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return undefined;
  const ossHeaders = Object.keys(request.headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith('x-oss-'))
    .sort()
    .map((name) => `${name}:${header(request, name).trim()}\n`)
    .join('');
  const subresources = [...request.url.searchParams.entries()]
    .filter(([name]) => SIGNED_SUBRESOURCES.has(name))
    .sort(([first], [second]) => (first < second ? -1 : first > second ? 1 : 0))
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`));
  const resource = `/${bucket ? `${bucket}/` : ''}${key}${subresources.length ? `?${subresources.join('&')}` : ''}`;
  const date = header(request, 'x-oss-date') || header(request, 'date');
  const stringToSign = `${request.method}\n${header(request, 'content-md5')}\n${header(request, 'content-type')}\n${date}\n${ossHeaders}${resource}`;
  const expected = createHmac('sha1', secret).update(stringToSign).digest('base64');
  return expected.length === signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    ? accessKeyId
    : undefined;
}
