import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { canceled, type SnapshotSource, TrellisError } from '@trellis/core';

/** The bytes that flowed through a {@link meteredSource} so far, and their SHA-256. */
export class ByteMeter {
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #digest: string | undefined;
  /** The error the source itself threw, if it did (as opposed to an upload error). */
  sourceError: unknown;

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.byteLength;
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Hex SHA-256 of every byte counted; call once the source has ended. */
  digest(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError(`snapshot sources must yield bytes, got ${typeof chunk}`);
}

function abortPromise(signal: AbortSignal, context: { operation: string }): Promise<never> {
  return new Promise((_, reject) => {
    const onAbort = () => reject(canceled(signal.reason, { provider: 'aws', ...context }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Yields the source's bytes unchanged while hashing and counting them into `meter`. When
 * `signal` aborts, the pending read rejects at once with `Canceled` (even if the source hangs),
 * so whoever consumes this fails fast and cleans up.
 */
export async function* meteredSource(
  source: SnapshotSource,
  meter: ByteMeter,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const aborted = signal ? abortPromise(signal, { operation: 'save' }) : undefined;
  aborted?.catch(() => {});
  let finished = false;
  try {
    while (true) {
      let next: IteratorResult<unknown>;
      try {
        next = await (aborted ? Promise.race([iterator.next(), aborted]) : iterator.next());
      } catch (error) {
        if (!TrellisError.hasCode(error, 'Canceled') && !TrellisError.hasCode(error, 'DeadlineExceeded')) {
          meter.sourceError = error;
        }
        finished = true;
        throw error;
      }
      if (next.done) {
        finished = true;
        return;
      }
      const chunk = asBytes(next.value);
      meter.update(chunk);
      yield chunk;
    }
  } finally {
    // Stop a source we leave early (abort, upload failure); not awaited: it may be mid-read.
    if (!finished) iterator.return?.()?.catch?.(() => {});
  }
}

/**
 * A pass-through stream that hashes what it forwards and, at the end, errors (instead of ending)
 * when the bytes do not match `expectedSha256` or `expectedSize`.
 */
export function verifyingStream(options: {
  snapshotName: string;
  expectedSha256: string | undefined;
  expectedSize: number | undefined;
}): Transform {
  const hash = options.expectedSha256 ? createHash('sha256') : undefined;
  let bytes = 0;
  const mismatch = (detail: string) =>
    new TrellisError({
      code: 'Internal',
      provider: 'aws',
      operation: 'fetch',
      message: `snapshot "${options.snapshotName}" is corrupt: ${detail}`,
    });
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash?.update(chunk);
      bytes += chunk.byteLength;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (options.expectedSize !== undefined && bytes !== options.expectedSize) {
        callback(mismatch(`read ${bytes} bytes, the store announced ${options.expectedSize}`));
        return;
      }
      const actual = hash?.digest('hex');
      if (actual !== undefined && actual !== options.expectedSha256) {
        callback(mismatch(`sha256 is ${actual}, it was saved as ${options.expectedSha256}`));
        return;
      }
      callback();
    },
  });
}
