import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type SnapshotSource, TrellisError } from '@trellis/core';
import { abortableSource } from '@trellis/provider-kit';
import { S3_CHECKSUM_TAG, S3_PART_CHECKSUM_TAG } from './s3-names.js';

const sha256 = () => createHash('sha256');

/**
 * The SHA-256 of each `partSize` block of a byte stream (the last one shorter), and of all of them
 * together: the SHA-256 of the parts' digests in order — S3's composite SHA-256 over the same
 * parts. Each byte is hashed once; the part digests are what an upload signs its parts with.
 */
export class PartDigests {
  readonly partSize: number;
  readonly #parts: Buffer[] = [];
  #current: Hash = sha256();
  #currentBytes = 0;
  #bytes = 0;
  /** Part number → the digest a request was signed with (see {@link partDigest}). */
  readonly #handedOut = new Map<number, string>();
  /** The error the source itself threw, if it did (as opposed to an upload error). */
  sourceError: unknown;

  constructor(partSize: number) {
    this.partSize = partSize;
  }

  update(chunk: Uint8Array): void {
    this.#bytes += chunk.byteLength;
    for (let offset = 0; offset < chunk.byteLength; ) {
      const take = Math.min(this.partSize - this.#currentBytes, chunk.byteLength - offset);
      this.#current.update(chunk.subarray(offset, offset + take));
      this.#currentBytes += take;
      offset += take;
      if (this.#currentBytes === this.partSize) {
        this.#parts.push(this.#current.digest());
        this.#current = sha256();
        this.#currentBytes = 0;
      }
    }
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Hex SHA-256 of part `partNumber` (from 1) as the stream delivered it, when it is `length` bytes
   * long there; undefined otherwise (the bytes an upload is about to send are not the stream's).
   * A part shorter than `partSize` can only be the last one: the stream must have no more bytes.
   */
  partDigest(partNumber: number, length: number): string | undefined {
    const complete = this.#parts[partNumber - 1];
    let digest: string | undefined;
    if (complete) {
      digest = length === this.partSize ? complete.toString('hex') : undefined;
    } else if (partNumber === this.#parts.length + 1 && length === this.#currentBytes) {
      digest = this.#current.copy().digest('hex');
    }
    if (digest) this.#handedOut.set(partNumber, digest);
    return digest;
  }

  /** The digests of every part of the stream so far, the last (shorter or empty) one included. */
  #allParts(): Buffer[] {
    const last = this.#currentBytes > 0 || this.#parts.length === 0 ? [this.#current.copy().digest()] : [];
    return [...this.#parts, ...last];
  }

  /** The hex composite SHA-256 of every part; call once the stream has ended. */
  composite(): string {
    return sha256().update(Buffer.concat(this.#allParts())).digest('hex');
  }

  /**
   * Whether every part of the ended stream was handed out by {@link partDigest} with its final
   * digest, and no other part was: then what the store received, part by part, is the stream.
   */
  everyPartHandedOut(): boolean {
    const parts = this.#allParts();
    return (
      this.#handedOut.size === parts.length &&
      parts.every((digest, index) => this.#handedOut.get(index + 1) === digest.toString('hex'))
    );
  }
}

/**
 * Yields the source's bytes unchanged while hashing them into `digests` (the kit's
 * `abortableSource`: an abort rejects the pending read at once with `Canceled`).
 */
export function meteredSource(
  source: SnapshotSource,
  digests: PartDigests,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  return abortableSource(source, {
    signal,
    context: { provider: 'aws', operation: 'save' },
    onChunk: (chunk) => digests.update(chunk),
    onSourceError: (error) => {
      digests.sourceError = error;
    },
  });
}

/**
 * A snapshot's recorded checksum: the composite SHA-256 of its `partSize` parts
 * (`trellis-sha256-parts`), or the SHA-256 of the whole object (`trellis-sha256`, which earlier
 * releases wrote).
 */
export type RecordedChecksum =
  | { readonly kind: 'sha256'; readonly hex: string }
  | { readonly kind: 'sha256-parts'; readonly partSize: number; readonly hex: string };

/** How a recorded checksum reads in a `StoredSnapshot` (`sha256:<hex>`, `sha256-parts-<size>:<hex>`). */
export function describeChecksum(checksum: RecordedChecksum): string {
  return checksum.kind === 'sha256'
    ? `sha256:${checksum.hex}`
    : `sha256-parts-${checksum.partSize}:${checksum.hex}`;
}

/**
 * The checksum a snapshot's tags record: `trellis-sha256-parts` (`<partSize>:<hex>`) before
 * `trellis-sha256`; undefined when neither is there. A malformed value is an error naming the
 * snapshot, not a reason to read it unverified.
 */
export function recordedChecksum(
  snapshotName: string,
  tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }>,
): RecordedChecksum | undefined {
  const value = (key: string) => tags.find((tag) => tag.Key === key)?.Value;
  const parts = value(S3_PART_CHECKSUM_TAG);
  const whole = value(S3_CHECKSUM_TAG);
  const match = parts === undefined ? undefined : /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(parts);
  if (match) return { kind: 'sha256-parts', partSize: Number(match[1]), hex: match[2] as string };
  if (parts === undefined && whole !== undefined && /^[0-9a-f]{64}$/.test(whole))
    return { kind: 'sha256', hex: whole };
  if (parts === undefined && whole === undefined) return undefined;
  throw new TrellisError({
    code: 'Internal',
    provider: 'aws',
    operation: 'fetch',
    message: `snapshot "${snapshotName}" has a malformed checksum tag: ${parts === undefined ? S3_CHECKSUM_TAG : S3_PART_CHECKSUM_TAG}=${parts ?? whole}`,
  });
}

/**
 * A pass-through stream that hashes what it forwards and, at the end, errors (instead of ending)
 * when the bytes do not match `expected` or `expectedSize`.
 */
export function verifyingStream(options: {
  snapshotName: string;
  expected: RecordedChecksum | undefined;
  expectedSize: number | undefined;
}): Transform {
  const { expected } = options;
  const whole = expected?.kind === 'sha256' ? sha256() : undefined;
  const parts = expected?.kind === 'sha256-parts' ? new PartDigests(expected.partSize) : undefined;
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
      whole?.update(chunk);
      parts?.update(chunk);
      bytes += chunk.byteLength;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (options.expectedSize !== undefined && bytes !== options.expectedSize) {
        callback(mismatch(`read ${bytes} bytes, the store announced ${options.expectedSize}`));
        return;
      }
      const actual = whole?.digest('hex') ?? parts?.composite();
      if (expected && actual !== expected.hex) {
        const found = describeChecksum({ ...expected, hex: actual ?? '' });
        callback(mismatch(`checksum is ${found}, it was saved as ${describeChecksum(expected)}`));
        return;
      }
      callback();
    },
  });
}
