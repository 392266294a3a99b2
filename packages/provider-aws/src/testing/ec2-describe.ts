import { ec2Error, invalidParameterValue, notFoundError } from './ec2-errors.js';
import type { Ec2FakeState } from './ec2-fake-state.js';
import type { QueryFilter, QueryParams } from './ec2-query.js';

/** Returns the values a resource has for one filter name, or undefined when the filter name is unknown. */
export type FilterValues<T> = (
  resource: T,
  name: string,
) => Array<string | number | boolean | undefined> | undefined;

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

/** Filter values for `tag:<key>`, `tag-key` and `tag-value` (undefined for any other name). */
export function tagFilterValues(state: Ec2FakeState, id: string, name: string): string[] | undefined {
  const tags = state.tags.get(id);
  if (name.startsWith('tag:')) {
    const value = tags?.get(name.slice(4));
    return value === undefined ? [] : [value];
  }
  if (name === 'tag-key') return [...(tags?.keys() ?? [])];
  if (name === 'tag-value') return [...(tags?.values() ?? [])];
  return undefined;
}

/** Keeps the resources that match every filter (any value of a filter may match, with `*` and `?` wildcards). */
export function applyFilters<T>(resources: T[], filters: QueryFilter[], valuesOf: FilterValues<T>): T[] {
  if (filters.length === 0) return resources;
  const compiled = filters.map((filter) => ({ name: filter.name, patterns: filter.values.map(wildcard) }));
  for (const filter of filters) {
    if (filter.values.length === 0)
      throw invalidParameterValue(`The filter '${filter.name}' requires a value`);
  }
  if (resources.length > 0) {
    for (const filter of compiled) {
      if (valuesOf(resources[0] as T, filter.name) === undefined) {
        throw invalidParameterValue(`The filter '${filter.name}' is invalid`);
      }
    }
  }
  return resources.filter((resource) =>
    compiled.every(({ name, patterns }) => {
      const values = (valuesOf(resource, name) ?? []).filter((value) => value !== undefined).map(String);
      return values.some((value) => patterns.some((pattern) => pattern.test(value)));
    }),
  );
}

/** Picks resources by id (`<IdName>.N`); every id must exist, else EC2's NotFound error for them. */
export function selectByIds<T>(
  all: Map<string, T>,
  ids: string[],
  isVisible: (resource: T) => boolean = () => true,
): T[] {
  if (ids.length === 0) return [...all.values()].filter(isVisible);
  const missing = ids.filter((id) => {
    const resource = all.get(id);
    return resource === undefined || !isVisible(resource);
  });
  if (missing.length > 0) throw notFoundError(missing);
  return [...new Set(ids)].map((id) => all.get(id) as T);
}

/** One page of a describe, and the token of the next. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * EC2 pagination: `MaxResults` (within min..max) and an opaque `NextToken`.
 * Without MaxResults everything is returned in one page.
 */
export function paginate<T>(
  items: T[],
  params: QueryParams,
  options: { min?: number; max?: number; idsGiven?: boolean } = {},
): Page<T> {
  const min = options.min ?? 5;
  const max = options.max ?? 1000;
  const maxResults = params.int('MaxResults');
  const nextToken = params.string('NextToken');
  if (maxResults !== undefined && options.idsGiven) {
    throw ec2Error(
      'InvalidParameterCombination',
      'The parameter MaxResults cannot be used with the parameter ids',
    );
  }
  if (maxResults !== undefined && (maxResults < min || maxResults > max)) {
    throw invalidParameterValue(
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
    );
  }
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = /^page:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!decoded) throw invalidParameterValue(`The token '${nextToken}' is invalid`);
    start = Number(decoded[1]);
  }
  if (maxResults === undefined && nextToken === undefined) return { items };
  const size = maxResults ?? max;
  const end = start + size;
  const page = items.slice(start, end);
  return end < items.length
    ? { items: page, nextToken: Buffer.from(`page:${end}`).toString('base64url') }
    : { items: page };
}
