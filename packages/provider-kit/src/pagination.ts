import { TrellisError } from '@trellis/core';

/** One page of a token-paged list call. */
export interface Page<Item> {
  readonly items: readonly Item[];
  /** The token of the next page (`NextToken`, `nextPageToken`, `nextLink`, `NextMarker`); absent on the last. */
  readonly next?: string | undefined;
}

/** Options of {@link paginate}. */
export interface PaginateOptions<Item> {
  /** Reads one page; `token` is undefined for the first. */
  readonly fetchPage: (token: string | undefined) => Promise<Page<Item>>;
  /**
   * Most pages read before giving up with `OutOfRange` (a cloud that keeps answering the same
   * token, or a list far larger than expected). @default 10_000
   */
  readonly maxPages?: number;
  /** For errors. */
  readonly context?: { readonly provider?: string; readonly operation?: string };
}

/**
 * Iterates over every item of a token-paged list call, reading a page only when the previous one
 * is used up. An empty token ends the list, as does an empty string; a token the cloud repeats
 * is a loop and fails instead of spinning forever.
 *
 * @example
 * ```ts
 * for await (const instance of paginate({
 *   fetchPage: async (pageToken) => {
 *     const [items, , response] = await instances.list({ project, zone, pageToken, maxResults: 500 });
 *     return { items, next: response?.nextPageToken ?? undefined };
 *   },
 * })) console.log(instance.name);
 * ```
 */
export async function* paginate<Item>(options: PaginateOptions<Item>): AsyncGenerator<Item, void, undefined> {
  const maxPages = options.maxPages ?? 10_000;
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 1; ; page++) {
    const { items, next } = await options.fetchPage(token);
    yield* items;
    if (!next) return;
    if (seen.has(next)) {
      throw new TrellisError({
        code: 'Internal',
        message: `the list answered the page token it was given again (page ${page}); stopping`,
        ...options.context,
      });
    }
    if (page >= maxPages) {
      throw new TrellisError({
        code: 'OutOfRange',
        message: `the list has more than ${maxPages} pages; stopping`,
        ...options.context,
      });
    }
    seen.add(next);
    token = next;
  }
}
