import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findExecutable } from './etcd-server.js';
import { LzwDecoder, lzwEncode } from './lzw.js';

async function decode(encoded: Buffer, chunkSize = 7): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pieces = [];
  for (let start = 0; start < encoded.length; start += chunkSize)
    pieces.push(encoded.subarray(start, start + chunkSize));
  await pipeline(Readable.from(pieces), new LzwDecoder(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

/** Inputs that fill the code table several times over (clear codes mid-stream) and repeat a lot. */
const repetitive = (size: number) =>
  Buffer.from(Array.from({ length: size }, (_, index) => (index * 7) % 13));

describe('LZW (Go compress/lzw, LSB, 8-bit literals)', () => {
  it('decodes what it encodes, for any bytes and any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, chunk) => {
          expect(await decode(lzwEncode(bytes), chunk)).toEqual(Buffer.from(bytes));
        },
      ),
      { numRuns: 60 },
    );
    for (const input of [randomBytes(200_000), repetitive(500_000), Buffer.alloc(0)]) {
      expect((await decode(lzwEncode(input), 4096)).equals(input)).toBe(true);
    }
  });

  it('refuses a stream cut before its EOF code, and an invalid code', async () => {
    const encoded = lzwEncode(repetitive(10_000));
    await expect(decode(encoded.subarray(0, encoded.length - 3))).rejects.toThrow(/unexpected end/);
    await expect(decode(Buffer.from([0x00, 0xff, 0xff, 0xff]))).rejects.toThrow(/invalid code/);
  });

  const go = findExecutable('go');
  it.skipIf(!go)(
    `matches Go's compress/lzw byte for byte (${go ? 'go found' : 'SKIPPED: no go toolchain on PATH'})`,
    async () => {
      const directory = mkdtempSync(join(tmpdir(), 'trellis-lzw-'));
      try {
        writeFileSync(
          join(directory, 'main.go'),
          `package main
import ("compress/lzw"; "io"; "os")
func main() {
  if len(os.Args) > 1 && os.Args[1] == "decode" {
    r := lzw.NewReader(os.Stdin, lzw.LSB, 8); if _, err := io.Copy(os.Stdout, r); err != nil { os.Exit(2) }; return
  }
  w := lzw.NewWriter(os.Stdout, lzw.LSB, 8); if _, err := io.Copy(w, os.Stdin); err != nil { os.Exit(2) }; w.Close()
}
`,
        );
        const environment = {
          ...process.env,
          GOCACHE: join(directory, 'cache'),
          GOFLAGS: '-mod=mod',
          GO111MODULE: 'off',
        };
        execFileSync(go!, ['build', '-o', join(directory, 'lzw'), join(directory, 'main.go')], {
          env: environment,
        });
        for (const input of [
          randomBytes(50_000),
          repetitive(300_000),
          Buffer.from('etcd'),
          Buffer.alloc(0),
        ]) {
          const fromGo = execFileSync(join(directory, 'lzw'), { input, maxBuffer: 64 * 1024 * 1024 });
          expect(lzwEncode(input).equals(fromGo)).toBe(true);
          expect((await decode(fromGo, 1000)).equals(input)).toBe(true);
          const decodedByGo = execFileSync(join(directory, 'lzw'), ['decode'], {
            input: lzwEncode(input),
            maxBuffer: 64 * 1024 * 1024,
          });
          expect(decodedByGo.equals(input)).toBe(true);
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
