import { Transform, type TransformCallback } from 'node:stream';

// Go's compress/lzw with Order LSB and 8-bit literals, as etcd-backup-restore's `.Z` snapshots are
// written (`lzw.NewWriter(w, lzw.LSB, 8)`): no header, a clear code first, codes growing from 9
// to 12 bits, a clear code whenever the table is full, an EOF code at the end.
const LITERAL_WIDTH = 8;
const MAX_WIDTH = 12;
const CLEAR = 1 << LITERAL_WIDTH;
const EOF = CLEAR + 1;
const INVALID = 0xffff;
const MAX_CODE = (1 << MAX_WIDTH) - 1;

/** A streaming decoder of Go's LSB, 8-bit LZW. Fails on an invalid code or a stream without its EOF code. */
export class LzwDecoder extends Transform {
  #bits = 0;
  #bitCount = 0;
  #width = LITERAL_WIDTH + 1;
  #hi = EOF;
  #overflow = 1 << (LITERAL_WIDTH + 1);
  #last = INVALID;
  #ended = false;
  readonly #prefix = new Uint16Array(1 << MAX_WIDTH);
  readonly #suffix = new Uint8Array(1 << MAX_WIDTH);
  readonly #scratch = new Uint8Array(1 << MAX_WIDTH);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const output = this.#decode(chunk);
      callback(null, output.length > 0 ? output : undefined);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#ended ? null : new Error('lzw: unexpected end of data (no EOF code)'));
  }

  #decode(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.#ended) continue; // bits after the EOF code pad the last byte
      this.#bits |= byte << this.#bitCount;
      this.#bitCount += 8;
      while (!this.#ended && this.#bitCount >= this.#width) {
        const code = this.#bits & ((1 << this.#width) - 1);
        this.#bits >>>= this.#width;
        this.#bitCount -= this.#width;
        this.#code(code, out);
      }
    }
    return Buffer.from(out);
  }

  #code(code: number, out: number[]): void {
    if (code < CLEAR) {
      out.push(code);
      if (this.#last !== INVALID) {
        this.#suffix[this.#hi] = code;
        this.#prefix[this.#hi] = this.#last;
      }
    } else if (code === CLEAR) {
      this.#width = LITERAL_WIDTH + 1;
      this.#hi = EOF;
      this.#overflow = 1 << this.#width;
      this.#last = INVALID;
      return;
    } else if (code === EOF) {
      this.#ended = true;
      return;
    } else if (code <= this.#hi) {
      const scratch = this.#scratch;
      let index = scratch.length - 1;
      let current = code;
      if (code === this.#hi && this.#last !== INVALID) {
        // The code being defined: the last expansion followed by its own first byte.
        let head = this.#last;
        while (head >= CLEAR) head = this.#prefix[head]!;
        scratch[index--] = head;
        current = this.#last;
      }
      while (current >= CLEAR) {
        scratch[index--] = this.#suffix[current]!;
        current = this.#prefix[current]!;
      }
      scratch[index] = current;
      for (let position = index; position < scratch.length; position++) out.push(scratch[position]!);
      if (this.#last !== INVALID) {
        this.#suffix[this.#hi] = current;
        this.#prefix[this.#hi] = this.#last;
      }
    } else {
      throw new Error('lzw: invalid code');
    }
    this.#last = code;
    this.#hi += 1;
    if (this.#hi >= this.#overflow) {
      if (this.#width === MAX_WIDTH) {
        this.#last = INVALID;
        this.#hi -= 1;
      } else {
        this.#width += 1;
        this.#overflow = 1 << this.#width;
      }
    }
  }
}

/**
 * Encodes bytes as Go's `lzw.NewWriter(w, lzw.LSB, 8)` does, code for code (for tests and tools
 * that write etcd-backup-restore's `.Z` snapshots).
 */
export function lzwEncode(input: Uint8Array): Buffer {
  const out: number[] = [];
  let bits = 0;
  let bitCount = 0;
  let width = LITERAL_WIDTH + 1;
  let hi = EOF;
  let overflow = 1 << (LITERAL_WIDTH + 1);
  let table = new Map<number, number>();
  const write = (code: number) => {
    bits |= code << bitCount;
    bitCount += width;
    while (bitCount >= 8) {
      out.push(bits & 0xff);
      bits >>>= 8;
      bitCount -= 8;
    }
  };
  /** Returns false when the table was full and has been reset (a clear code sent). */
  const incrementHi = (): boolean => {
    hi += 1;
    if (hi === overflow) {
      width += 1;
      overflow <<= 1;
    }
    if (hi === MAX_CODE) {
      write(CLEAR);
      width = LITERAL_WIDTH + 1;
      hi = EOF;
      overflow = CLEAR << 1;
      table = new Map();
      return false;
    }
    return true;
  };
  write(CLEAR);
  if (input.length > 0) {
    let code = input[0]!;
    for (let index = 1; index < input.length; index++) {
      const literal = input[index]!;
      const key = (code << 8) | literal;
      const known = table.get(key);
      if (known !== undefined) {
        code = known;
        continue;
      }
      write(code);
      code = literal;
      if (!incrementHi()) continue;
      table.set(key, hi);
    }
    write(code);
    incrementHi();
  }
  write(EOF);
  if (bitCount > 0) out.push(bits & 0xff);
  return Buffer.from(out);
}
