import { invalidArgument } from './errors.js';

/** A parsed CIDR block. */
export interface Cidr {
  /** 4 or 6. */
  readonly version: 4 | 6;
  /** Network address with host bits cleared. */
  readonly network: bigint;
  /** The address as written (host bits may be set). */
  readonly address: bigint;
  /** Prefix length. */
  readonly prefixLength: number;
  /** Canonical text: host bits cleared, IPv6 compressed (`10.0.0.0/16`, `2001:db8::/32`). */
  readonly canonical: string;
  /** The text it was parsed from. */
  readonly text: string;
}

function fail(text: string, message: string): never {
  throw invalidArgument(`invalid CIDR "${text}"`, [{ path: '', message }]);
}

function parseIpv4(text: string, cidr: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) fail(cidr, 'an IPv4 address has four dotted parts');
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) fail(cidr, `"${part}" is not an octet 0-255`);
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string, cidr: string): bigint {
  const halves = text.split('::');
  if (halves.length > 2) fail(cidr, '"::" may appear only once');
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups =
    halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8 || (halves.length === 2 && head.length + tail.length > 7)) {
    fail(cidr, 'an IPv6 address has eight groups');
  }
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) fail(cidr, `"${group}" is not a hex group`);
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) =>
    Number((value >> BigInt(112 - index * 16)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength && length > 1) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Parses an IPv4 or IPv6 CIDR; throws `InvalidArgument` on malformed text. */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string') fail(String(text), 'must be a string');
  const slash = text.indexOf('/');
  if (slash < 0) fail(text, 'missing "/<prefix length>"');
  const host = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const version = host.includes(':') ? 6 : 4;
  const bits = version === 4 ? 32 : 128;
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    fail(text, `prefix length must be 0-${bits}`);
  }
  const prefixLength = Number(prefixText);
  const address = version === 4 ? parseIpv4(host, text) : parseIpv6(host, text);
  const hostBits = BigInt(bits - prefixLength);
  const network = (address >> hostBits) << hostBits;
  const canonical = `${version === 4 ? formatIpv4(network) : formatIpv6(network)}/${prefixLength}`;
  return { version, network, address, prefixLength, canonical, text };
}

/** True when the text is a CIDR written canonically (host bits zero, IPv6 compressed). */
export function isCanonicalCidr(text: string): boolean {
  try {
    return parseCidr(text).canonical === text;
  } catch {
    return false;
  }
}

function asCidr(value: string | Cidr): Cidr {
  return typeof value === 'string' ? parseCidr(value) : value;
}

function size(cidr: Cidr): bigint {
  return 1n << BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefixLength);
}

/** True when `inner` lies entirely inside `outer`; false across IP versions. */
export function cidrContains(outer: string | Cidr, inner: string | Cidr): boolean {
  const a = asCidr(outer);
  const b = asCidr(inner);
  if (a.version !== b.version || b.prefixLength < a.prefixLength) return false;
  return b.network >= a.network && b.network + size(b) <= a.network + size(a);
}

/** True when the two blocks share any address; false across IP versions. */
export function cidrOverlaps(first: string | Cidr, second: string | Cidr): boolean {
  const a = asCidr(first);
  const b = asCidr(second);
  if (a.version !== b.version) return false;
  return a.network < b.network + size(b) && b.network < a.network + size(a);
}

/** The `index`-th subnet of `prefixLength` inside `parent`: `subnetCidr('10.0.0.0/16', 24, 3)` is `10.0.3.0/24`. */
export function subnetCidr(parent: string | Cidr, prefixLength: number, index: number): string {
  const outer = asCidr(parent);
  const bits = outer.version === 4 ? 32 : 128;
  if (!Number.isInteger(prefixLength) || prefixLength < outer.prefixLength || prefixLength > bits) {
    fail(outer.text, `subnet prefix length ${prefixLength} does not fit inside /${outer.prefixLength}`);
  }
  const count = 1n << BigInt(prefixLength - outer.prefixLength);
  if (!Number.isInteger(index) || index < 0 || BigInt(index) >= count) {
    fail(outer.text, `subnet index ${index} is outside 0-${count - 1n}`);
  }
  const network = outer.network + BigInt(index) * (1n << BigInt(bits - prefixLength));
  return `${outer.version === 4 ? formatIpv4(network) : formatIpv6(network)}/${prefixLength}`;
}

/**
 * Reads an IPv4 CIDR written in a config: the parsed CIDR, and what is wrong with it when it is
 * not IPv4, not a CIDR, or not written canonically (`10.0.0.1/16` → `10.0.0.0/16`). A non-canonical
 * CIDR still parses, so the overlap checks can run on it.
 */
export function readConfigIpv4Cidr(text: string): { cidr?: Cidr; problem?: string } {
  try {
    const cidr = parseCidr(text);
    if (cidr.version !== 4) return { problem: `"${text}" must be an IPv4 CIDR` };
    if (cidr.canonical !== text) return { cidr, problem: `"${text}" must be canonical: "${cidr.canonical}"` };
    return { cidr };
  } catch {
    return { problem: `"${text}" is not a valid CIDR` };
  }
}
