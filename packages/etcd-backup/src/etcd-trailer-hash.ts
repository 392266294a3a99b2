import { createHash } from 'node:crypto';

/** Size of the sha256 etcd appends to a snapshot. */
const ETCD_HASH_SIZE = 32;

/**
 * Checks the sha256 etcd appends to a snapshot, over bytes that arrive in chunks of any size: all
 * but the last 32 bytes are hashed, the last 32 are kept to compare.
 */
export class EtcdTrailerHash {
  readonly #hash = createHash('sha256');
  #tail = Buffer.alloc(0);

  update(chunk: Uint8Array): void {
    if (chunk.length >= ETCD_HASH_SIZE) {
      this.#hash.update(this.#tail);
      this.#hash.update(chunk.subarray(0, chunk.length - ETCD_HASH_SIZE));
      this.#tail = Buffer.from(chunk.subarray(chunk.length - ETCD_HASH_SIZE));
    } else {
      const combined = Buffer.concat([this.#tail, chunk]);
      const keep = Math.min(ETCD_HASH_SIZE, combined.length);
      this.#hash.update(combined.subarray(0, combined.length - keep));
      this.#tail = Buffer.from(combined.subarray(combined.length - keep));
    }
  }

  /** Whether the bytes seen end with the sha256 of the bytes before it; call once, at the end. */
  matches(): boolean {
    return this.#tail.length === ETCD_HASH_SIZE && this.#hash.digest().equals(this.#tail);
  }
}
