import { createHash } from 'node:crypto';

/**
 * A deterministic idempotency token for one logical create: the hex SHA-256 of the parts joined
 * by `/`, cut to `maxLength`. The same parts give the same token in every process and every
 * retry, so a create whose response was lost is recognised by the cloud (EC2 and Alibaba
 * `ClientToken`: at most 64 ASCII characters, case-sensitive).
 *
 * @example
 * ```ts
 * deriveClientToken(['trellis', cluster, machineName]); // 64 lower-case hex characters
 * ```
 */
export function deriveClientToken(parts: readonly string[], options: { maxLength?: number } = {}): string {
  const maxLength = options.maxLength ?? 64;
  if (!(maxLength >= 16)) throw new RangeError('a client token needs at least 16 characters to be unique');
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, maxLength);
}

/** The namespace of Trellis' name-based UUIDs (RFC 9562 version 5). */
export const TRELLIS_UUID_NAMESPACE = '6f1d1c6e-3b1a-5c58-9d43-7c2a4f0e8b21';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/**
 * A deterministic UUID (RFC 9562 version 5, SHA-1 name-based) for one logical mutation: what GCE's
 * `requestId` must be ("a valid UUID, not all zeros"). The same parts give the same id.
 *
 * @example
 * ```ts
 * deriveRequestId(['trellis', cluster, machineName, 'insert']); // e.g. '0c7e…-5…-…'
 * ```
 */
export function deriveRequestId(
  parts: readonly string[],
  namespace: string = TRELLIS_UUID_NAMESPACE,
): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(parts.join('/')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
