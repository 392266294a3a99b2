import { canceled, type SnapshotSource, TrellisError } from '@trellis/core';

/** Options of {@link abortableSource}. */
export interface AbortableSourceOptions {
  readonly signal?: AbortSignal | undefined;
  /** For the `Canceled` error. */
  readonly context: { readonly provider: string; readonly operation: string };
  /** Sees every chunk before it is yielded (hash it, count it). */
  readonly onChunk?: (chunk: Uint8Array) => void;
  /** Told when the source itself fails (not an abort), so a store can say which side failed. */
  readonly onSourceError?: (error: unknown) => void;
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError(`snapshot sources must yield bytes, got ${typeof chunk}`);
}

/**
 * Yields a snapshot source's bytes unchanged. When `signal` aborts, the pending read rejects at
 * once with `Canceled` (even if the source hangs), so the upload that consumes this fails fast and
 * cleans up; a source left early is stopped. What every object store's `save` needs.
 *
 * @example
 * ```ts
 * const body = Readable.from(abortableSource(data, { signal, context: { provider: 'gcp', operation: 'save' } }));
 * ```
 */
export async function* abortableSource(
  source: SnapshotSource,
  options: AbortableSourceOptions,
): AsyncGenerator<Uint8Array> {
  const { signal } = options;
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const aborted = signal
    ? new Promise<never>((_, reject) => {
        const onAbort = () => reject(canceled(signal.reason, options.context));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      })
    : undefined;
  aborted?.catch(() => {});
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await (aborted ? Promise.race([iterator.next(), aborted]) : iterator.next());
      } catch (error) {
        if (!TrellisError.hasCode(error, 'Canceled') && !TrellisError.hasCode(error, 'DeadlineExceeded')) {
          options.onSourceError?.(error);
        }
        finished = true;
        throw error;
      }
      if (next.done) {
        finished = true;
        return;
      }
      const chunk = asBytes(next.value);
      options.onChunk?.(chunk);
      yield chunk;
    }
  } finally {
    // Stop a source we leave early (abort, upload failure); not awaited: it may be mid-read.
    if (!finished) (iterator.return?.() as Promise<unknown> | undefined)?.catch?.(() => {});
  }
}

/** `<prefix>/` (nothing for an empty prefix), without doubled slashes: where a store's keys start. */
export function prefixDirectory(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed ? `${trimmed}/` : '';
}

/**
 * Re-cuts a byte stream into chunks of exactly `size` bytes (the last one shorter): the parts of a
 * multipart upload, the blocks of a block blob. Bytes the source may reuse are copied.
 */
export async function* fixedSizeChunks(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (length + bytes.length >= size) {
      const take = size - length;
      pending.push(bytes.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      length = 0;
      bytes = bytes.subarray(take);
    }
    if (bytes.length > 0) {
      // Copy: the source may reuse its buffer.
      pending.push(Buffer.from(bytes));
      length += bytes.length;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}
