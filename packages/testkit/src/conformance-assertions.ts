import { AssertionError } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import { type ErrorCode, type Machine, parseProviderId, TrellisError } from '@trellis/core';

/** Throws an assertion error with `message`. */
export function fail(message: string): never {
  throw new AssertionError({ message });
}

function describeError(error: unknown): string {
  if (TrellisError.isInstance(error)) return `TrellisError ${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message} (not a TrellisError)`;
  return `${String(error)} (not a TrellisError)`;
}

/**
 * Awaits `action` (a promise, or a function that may throw or return one) and returns the
 * `TrellisError` it rejected with; fails unless it rejected with a TrellisError of `code`.
 */
export async function expectTrellisError(
  action: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  what = 'the call',
): Promise<TrellisError> {
  let outcome: { ok: true } | { ok: false; error: unknown };
  try {
    await (typeof action === 'function' ? action() : action);
    outcome = { ok: true };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) fail(`${what} succeeded, expected it to reject with TrellisError ${code}`);
  if (!TrellisError.hasCode(outcome.error, code)) {
    fail(`${what} rejected with ${describeError(outcome.error)}, expected TrellisError ${code}`);
  }
  return outcome.error;
}

/** Fails unless some issue of `error` has exactly `path`. */
export function assertIssuePath(error: TrellisError, path: string): void {
  if (!error.issues.some((issue) => issue.path === path)) {
    const paths = error.issues.map((issue) => JSON.stringify(issue.path)).join(', ') || 'none';
    fail(`expected an issue at path "${path}", the error lists paths: ${paths}`);
  }
}

/** Fails unless both results are the same VM (same provider id and name). */
export function assertSameMachine(first: Machine, second: Machine): void {
  if (first.providerId !== second.providerId || first.name !== second.name) {
    fail(
      `expected the same VM twice, got ${first.name} (${first.providerId}) then ${second.name} (${second.providerId})`,
    );
  }
}

/** Fails unless `actual === expected`, naming what was counted. */
export function assertCount(actual: number, expected: number, what: string): void {
  if (actual !== expected) fail(`expected ${expected} ${what}, found ${actual}`);
}

/** Fails unless every value is distinct; names the duplicates. */
export function assertDistinct(values: readonly string[], what: string): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const value of values) (seen.has(value) ? duplicates : seen).add(value);
  if (duplicates.size > 0) fail(`expected distinct ${what}, duplicated: ${[...duplicates].join(', ')}`);
}

/** Fails unless both lists hold the same values (ignoring order), naming what differs. */
export function assertSameSet(actual: readonly string[], expected: readonly string[], what: string): void {
  const { added, removed } = setDelta(expected, actual);
  if (added.length > 0 || removed.length > 0 || actual.length !== expected.length) {
    fail(
      `${what} differ: unexpected [${added.join(', ')}], missing [${removed.join(', ')}] (${actual.length} vs ${expected.length})`,
    );
  }
}

/** What appeared in and disappeared from a list of ids between two readings. */
export function setDelta(before: readonly string[], after: readonly string[]) {
  const old = new Set(before);
  const now = new Set(after);
  return {
    added: after.filter((id) => !old.has(id)),
    removed: before.filter((id) => !now.has(id)),
  };
}

/** Fails unless the machine carries `Name`, `kubernetes.io/cluster/<cluster>` and the node role tag. */
export function assertOwnershipTags(machine: Machine, cluster: string, name: string): void {
  const tags = machine.tags ?? {};
  if (tags.Name !== name) fail(`expected tag Name=${name}, got ${JSON.stringify(tags.Name)}`);
  if (!(`kubernetes.io/cluster/${cluster}` in tags)) fail(`missing tag kubernetes.io/cluster/${cluster}`);
  if (!('kubernetes.io/role/node' in tags)) fail('missing tag kubernetes.io/role/node');
}

/** Fails unless the provider id parses to the provider's own type (`gce` ids parse as `gcp`). */
export function assertProviderIdParses(providerId: string, provider: string): void {
  let parsed: string;
  try {
    parsed = parseProviderId(providerId).provider;
  } catch (error) {
    fail(`provider id "${providerId}" does not parse: ${describeError(error)}`);
  }
  const expected = provider === 'gce' ? 'gcp' : provider;
  if (parsed !== expected) fail(`provider id "${providerId}" parses as ${parsed}, expected ${expected}`);
}

/** Fails unless the growth is below the limit. */
export function assertMemoryGrowthBelow(growth: number, limit: number, what: string): void {
  if (growth >= limit) {
    const mebibytes = (value: number) => `${(value / 2 ** 20).toFixed(1)} MiB`;
    fail(`${what} grew by ${mebibytes(growth)} during the save, expected less than ${mebibytes(limit)}`);
  }
}

/** A plain-JSON copy, as a caller that persists a value would read it back. */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Fails unless both values are equal as JSON (what a caller persisting them would see). */
export function assertSameJson(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(jsonCopy(actual), jsonCopy(expected))) {
    const show = (value: unknown) => JSON.stringify(value)?.slice(0, 2000);
    fail(`${what} differ:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`);
  }
}
