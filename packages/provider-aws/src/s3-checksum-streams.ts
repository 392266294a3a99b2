import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type SnapshotSource, TrellisError } from '@trellis/core';
import { abortableSource } from '@trellis/provider-kit';

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

/**
 * Yields the source's bytes unchanged while hashing and counting them into `meter` (the kit's
 * `abortableSource`: an abort rejects the pending read at once with `Canceled`).
 */
export function meteredSource(
  source: SnapshotSource,
  meter: ByteMeter,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  return abortableSource(source, {
    signal,
    context: { provider: 'aws', operation: 'save' },
    onChunk: (chunk) => meter.update(chunk),
    onSourceError: (error) => {
      meter.sourceError = error;
    },
  });
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
