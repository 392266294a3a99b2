import { createCipheriv, createHash } from 'node:crypto';

const DEFAULT_CHUNK_SIZE = 64 * 1024;

/** Options of {@link randomBytesSource}. */
export interface RandomBytesOptions {
  /** Bytes per yielded chunk (the last one may be shorter). @default 65536 */
  chunkSize?: number;
  /** Same seed, same bytes. @default 0 */
  seed?: number;
}

function checkSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${what} must be a non-negative integer`);
}

/** A keystream of AES-128-CTR over zeros: fast, deterministic per seed, indistinguishable from random. */
function keystream(seed: number) {
  const key = createHash('sha256').update(`trellis-testkit-random-${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
}

/**
 * A lazy stream of `size` pseudo-random bytes: each chunk is generated when the consumer asks
 * for it, so a 1 GiB source costs one chunk of memory. The same seed yields the same bytes, so a
 * test can compute the expected checksum from a second source with the same seed.
 */
export function randomBytesSource(size: number, options: RandomBytesOptions = {}): AsyncIterable<Uint8Array> {
  const { chunkSize = DEFAULT_CHUNK_SIZE, seed = 0 } = options;
  checkSize(size, 'size');
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError('chunkSize must be positive');
  return {
    async *[Symbol.asyncIterator]() {
      const cipher = keystream(seed);
      const zeros = Buffer.alloc(Math.min(chunkSize, size));
      for (let offset = 0; offset < size; offset += chunkSize) {
        const length = Math.min(chunkSize, size - offset);
        yield cipher.update(length === zeros.length ? zeros : zeros.subarray(0, length));
      }
    },
  };
}

/**
 * A source that yields the first `failAfterBytes` bytes of a `size`-byte random stream and then
 * throws `error`: a snapshot source that breaks midway.
 */
export function failingSource(
  size: number,
  failAfterBytes: number,
  error: Error = new Error('the source stream failed'),
): AsyncIterable<Uint8Array> {
  checkSize(size, 'size');
  checkSize(failAfterBytes, 'failAfterBytes');
  return {
    async *[Symbol.asyncIterator]() {
      let sent = 0;
      for await (const chunk of randomBytesSource(size)) {
        const room = failAfterBytes - sent;
        if (room <= 0) break;
        const piece = chunk.length <= room ? chunk : chunk.subarray(0, room);
        sent += piece.length;
        yield piece;
      }
      throw error;
    },
  };
}

/** Reads a whole stream into one buffer. Only for small data: it holds everything in memory. */
export async function collectBytes(
  stream: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The hex SHA-256 of a stream, read chunk by chunk (constant memory). */
export async function sha256Of(source: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source) hash.update(chunk);
  return hash.digest('hex');
}
