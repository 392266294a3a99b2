import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FakeRequest } from '@trellis/testkit/fake';

/** One Alibaba Cloud API call as a fake reads it: the action, its parameters, and who signed it. */
export interface AcsCall {
  readonly action: string;
  /** Query and form-body parameters merged, decoded; empty values (`ZoneId=`) left out, as absent. */
  readonly params: Readonly<Record<string, string>>;
  /** `acs3` (`x-acs-action` + `Authorization: ACS3-HMAC-SHA256`, the Tea SDKs) or `rpc` (`Action` + `Signature`, pop-core). */
  readonly style: 'acs3' | 'rpc';
  readonly accessKeyId: string;
}

/** Why a call is refused before it is handled: the cloud's code, status and message. */
export class AcsRequestError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `encodeURIComponent` plus `! ' ( ) *`, as both signature versions encode. */
export function acsEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const header = (request: FakeRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

function rawParams(request: FakeRequest): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of request.url.searchParams) params.set(key, value);
  if (String(header(request, 'content-type') ?? '').includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(request.body.toString('utf8'))) params.set(key, value);
  }
  return params;
}

const equal = (expected: string, actual: string) =>
  expected.length === actual.length && timingSafeEqual(Buffer.from(expected), Buffer.from(actual));

/**
 * Reads and authenticates one call in either wire dialect: ACS3-HMAC-SHA256 (canonical request of
 * method, path, the re-encoded sorted query, the signed headers and the body hash) or RPC v1
 * (HMAC-SHA1 with `secret&` over `METHOD&%2F&<encoded sorted parameters>`). Throws the cloud's
 * errors: `InvalidAccessKeyId.NotFound`, `SignatureDoesNotMatch`, `MissingParameter`.
 */
export function readAcsCall(request: FakeRequest, secrets: ReadonlyMap<string, string>): AcsCall {
  const params = rawParams(request);
  const authorization = header(request, 'authorization');
  let call: { action: string | undefined; accessKeyId: string; style: AcsCall['style'] };
  if (authorization?.startsWith('ACS3-HMAC-SHA256 ')) {
    const fields = Object.fromEntries(
      authorization
        .slice('ACS3-HMAC-SHA256 '.length)
        .split(',')
        .map((part) => part.trim().split('=', 2) as [string, string]),
    );
    const accessKeyId = fields.Credential ?? '';
    const secret = secrets.get(accessKeyId);
    if (secret === undefined)
      throw new AcsRequestError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
    const signedHeaders = String(fields.SignedHeaders ?? '').split(';');
    const payloadHash = header(request, 'x-acs-content-sha256') ?? '';
    if (payloadHash !== createHash('sha256').update(request.body).digest('hex'))
      throw new AcsRequestError(
        'SignatureDoesNotMatch',
        400,
        'x-acs-content-sha256 does not match the body.',
      );
    const query = [...request.url.searchParams.keys()].sort().map((key) => {
      const value = request.url.searchParams.get(key) ?? '';
      return `${key}=${acsEncode(value)}`;
    });
    const canonicalHeaders = signedHeaders
      .map((name) => `${name}:${(header(request, name) ?? '').trim()}\n`)
      .join('');
    const canonicalRequest = [
      request.method,
      request.url.pathname,
      query.join('&'),
      canonicalHeaders,
      signedHeaders.join(';'),
      payloadHash,
    ].join('\n');
    const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
    if (!signedHeaders.includes('x-acs-action') || !equal(expected, String(fields.Signature ?? '')))
      throw new AcsRequestError(
        'SignatureDoesNotMatch',
        400,
        'Specified signature is not matched with our calculation.',
      );
    call = { action: header(request, 'x-acs-action'), accessKeyId, style: 'acs3' };
  } else if (params.has('Signature')) {
    const accessKeyId = params.get('AccessKeyId') ?? '';
    const secret = secrets.get(accessKeyId);
    if (secret === undefined)
      throw new AcsRequestError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
    const canonical = [...params.entries()]
      .filter(([key]) => key !== 'Signature')
      .sort(([first], [second]) => (first < second ? -1 : first > second ? 1 : 0))
      .map(([key, value]) => `${acsEncode(key)}=${acsEncode(value)}`)
      .join('&');
    const stringToSign = `${request.method}&${acsEncode('/')}&${acsEncode(canonical)}`;
    const expected = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
    if (!equal(expected, params.get('Signature') ?? ''))
      throw new AcsRequestError(
        'SignatureDoesNotMatch',
        400,
        'Specified signature is not matched with our calculation.',
      );
    call = { action: params.get('Action'), accessKeyId, style: 'rpc' };
  } else {
    throw new AcsRequestError(
      'MissingParameter',
      400,
      'The request is not signed (no Authorization, no Signature).',
    );
  }
  if (!call.action) throw new AcsRequestError('MissingParameter', 400, 'The action is missing.');
  const RPC_PROTOCOL = new Set([
    'Action',
    'Format',
    'Version',
    'AccessKeyId',
    'Signature',
    'SignatureMethod',
    'SignatureVersion',
    'SignatureNonce',
    'Timestamp',
  ]);
  const merged: Record<string, string> = {};
  for (const [key, value] of params) {
    if (value === '' || (call.style === 'rpc' && RPC_PROTOCOL.has(key))) continue;
    merged[key] = value;
  }
  return { action: call.action, params: merged, style: call.style, accessKeyId: call.accessKeyId };
}

/** The action of a request without authenticating it (for the call log and fault rules). */
export function acsActionOf(request: FakeRequest): string {
  return header(request, 'x-acs-action') ?? rawParams(request).get('Action') ?? 'Unknown';
}
