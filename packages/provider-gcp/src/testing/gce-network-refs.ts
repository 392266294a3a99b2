import { GceFakeError, invalid } from './gce-errors.js';

const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** GCE's name rule (RFC 1035, 1-63 characters), as a 400 on `resource.name`. */
export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(
      `Invalid value for field 'resource.name': '${String(name ?? '')}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
    );
  }
}

/**
 * The path (`projects/<p>/global/networks/<n>`) a reference names: GCE accepts a full URL (any
 * host, `/compute/v1/`), a partial URL from `projects/`, or one relative to the project
 * (`global/networks/<n>`, `regions/<r>/subnetworks/<s>`).
 */
export function refPath(project: string, ref: unknown): string | undefined {
  if (typeof ref !== 'string' || !ref) return undefined;
  const relative = ref.replace(/^https?:\/\/[^/]+\/compute\/(v1|beta)\//, '');
  if (relative.startsWith('projects/')) return relative;
  if (relative.startsWith('global/') || relative.startsWith('regions/'))
    return `projects/${project}/${relative}`;
  return undefined;
}

/** The path the same resource has, whatever form the reference took; `undefined` for none. */
export function sameRef(project: string, a: unknown, b: unknown): boolean {
  const left = refPath(project, a);
  return left !== undefined && left === refPath(project, b);
}

/** `a.b.c.d/n` as a 32-bit start and a size, or `undefined` when it is not an IPv4 CIDR. */
export function parseCidr(text: unknown): { start: number; size: number } | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((octet) => octet > 255) || bits > 32) return undefined;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  if (address % size !== 0) return undefined;
  return { start: address, size };
}

export function cidrsOverlap(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  if (!left || !right) return false;
  return left.start < right.start + right.size && right.start < left.start + left.size;
}

/** The 400 GCE answers a delete of a resource another one still refers to. */
export function inUse(path: string, user: string): GceFakeError {
  return new GceFakeError(
    400,
    'resourceInUseByAnotherResource',
    `The ${path.split('/').at(-2)?.replace(/s$/, '')} resource '${path}' is already being used by '${user}'`,
  );
}

/** A fingerprint that changes with every write, as GCE's does. */
export function fingerprint(version: number): string {
  return Buffer.from(`fingerprint-${version}-${Math.random().toString(36).slice(2, 8)}`).toString('base64');
}
