import { createHash } from 'node:crypto';

const GCE_LABEL_MAX = 63;

function shortHash(value: string, length = 8): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * A GCE label key from any text (Gardener's `SanitizeGcpLabel`): lower case, characters outside
 * `[a-z0-9_-]` become `_`, leading characters that are not letters are dropped (a key starts with
 * a letter), at most 63 characters. Text with no letter at all becomes `k` plus its characters.
 *
 * @example
 * ```ts
 * sanitizeGceLabelKey('Team.Name'); // 'team_name'
 * ```
 */
export function sanitizeGceLabelKey(key: string): string {
  const mapped = key.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  const start = mapped.search(/[a-z]/);
  const trimmed = start < 0 ? `k${mapped}` : mapped.slice(start);
  return trimmed.slice(0, GCE_LABEL_MAX);
}

/** A GCE label value: lower case, characters outside `[a-z0-9_-]` become `_`, at most 63 characters. */
export function sanitizeGceLabelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, GCE_LABEL_MAX);
}

/** GCE labels from any record: keys and values sanitised; of keys that collide, the first wins. */
export function sanitizeGceLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const safeKey = sanitizeGceLabelKey(key);
    if (!(safeKey in result)) result[safeKey] = sanitizeGceLabelValue(value);
  }
  return result;
}

/**
 * A GCE network tag (RFC 1035: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters). Text that
 * does not fit is cut and given a hash of the whole, so two different inputs never share a tag.
 */
export function gceNetworkTag(text: string): string {
  const mapped = text
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z]+/, '');
  const clean = mapped.replace(/-+$/, '');
  if (clean === text && clean.length > 0 && clean.length <= GCE_LABEL_MAX) return clean;
  const hash = shortHash(text);
  const head = clean.slice(0, GCE_LABEL_MAX - hash.length - 1).replace(/-+$/, '');
  return head ? `${head}-${hash}` : `t${hash}`;
}

const AZURE_TAG_NAME_FORBIDDEN = /[<>%&\\?/]/g;

/**
 * An Azure tag name: the characters Azure forbids in tag names (`< > % & \ ? /`) become `-`
 * (as Gardener writes `kubernetes.io-cluster-<cluster>`), at most 512 characters.
 */
export function sanitizeAzureTagName(name: string): string {
  return name.replace(AZURE_TAG_NAME_FORBIDDEN, '-').slice(0, 512);
}

/** An Azure tag value: at most 256 characters. */
export function sanitizeAzureTagValue(value: string): string {
  return value.slice(0, 256);
}

const ALICLOUD_RESERVED_PREFIX = /^(?:aliyun|acs:|https?:\/\/)/i;

/**
 * An Alibaba Cloud tag key or value: no `aliyun`, `acs:`, `http://` or `https://` prefix (those are
 * reserved), at most 128 characters. A reserved prefix is kept readable behind `x-`.
 */
export function sanitizeAlicloudTag(text: string): string {
  let result = text;
  while (ALICLOUD_RESERVED_PREFIX.test(result)) result = `x-${result}`;
  return result.slice(0, 128);
}
