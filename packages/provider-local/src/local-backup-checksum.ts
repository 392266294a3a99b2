import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { TrellisError } from '@trellis/core';
import { LOCAL_PROVIDER } from './local-settings.js';
import { corruptStateError, fileSystemError, isErrorCode } from './local-state-store.js';

/** Suffix of a snapshot's checksum file (`sha256sum` format). */
export const CHECKSUM_SUFFIX = '.sha256';

/** Directory of the checksum files, under the store's directory and outside every prefix. */
export const CHECKSUM_DIRECTORY = '.trellis-checksums';

/** A pass-through stream that hashes (sha256) and counts what flows through it. */
export class HashingStream extends Transform {
  readonly #hash: Hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  /** The hex digest; call once, after the stream has finished. */
  digest(): string {
    return this.#hash.digest('hex');
  }
}

/** A pass-through stream that errors at the end when the bytes do not have the expected sha256. */
export class VerifyingStream extends Transform {
  readonly #hash: Hash = createHash('sha256');
  /** The stored sha256 (hex). */
  readonly expected: string;
  /** The snapshot's key, for the error message. */
  readonly key: string;

  constructor(expected: string, key: string) {
    super();
    this.expected = expected;
    this.key = key;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.#hash.digest('hex');
    if (actual === this.expected) {
      callback();
      return;
    }
    callback(
      new TrellisError({
        code: 'Internal',
        provider: LOCAL_PROVIDER,
        operation: 'fetch',
        message: `checksum mismatch for snapshot ${this.key}: stored sha256 ${this.expected}, read ${actual}`,
      }),
    );
  }
}

/** Reads a checksum file: the hex sha256, or undefined when there is none (a foreign snapshot). */
export async function readChecksum(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw fileSystemError('read checksum', file, error);
  }
  const hex = /^([0-9a-f]{64})\b/.exec(text)?.[1];
  if (!hex) throw corruptStateError(file, 'not a sha256 checksum line');
  return hex;
}
