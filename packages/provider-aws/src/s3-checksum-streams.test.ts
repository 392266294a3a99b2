import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PartDigests } from './s3-checksum-streams.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();
const bytes = Buffer.from('0123456789');

describe('PartDigests', () => {
  it('hands out each part’s digest only for the part as the stream delivered it', () => {
    const digests = new PartDigests(4);
    digests.update(bytes.subarray(0, 3));
    digests.update(bytes.subarray(3));
    expect(digests.partDigest(1, 3)).toBeUndefined();
    expect(digests.partDigest(1, 4)).toBe(sha256(bytes.subarray(0, 4)).toString('hex'));
    expect(digests.partDigest(3, 4)).toBeUndefined();
    expect(digests.everyPartHandedOut()).toBe(false);
    expect(digests.partDigest(3, 2)).toBe(sha256(bytes.subarray(8)).toString('hex'));
    expect(digests.partDigest(2, 4)).toBe(sha256(bytes.subarray(4, 8)).toString('hex'));
    expect(digests.everyPartHandedOut()).toBe(true);
    const parts = [bytes.subarray(0, 4), bytes.subarray(4, 8), bytes.subarray(8)].map(sha256);
    expect(digests.composite()).toBe(sha256(Buffer.concat(parts)).toString('hex'));
  });

  it('notices a last part handed out before the stream had all its bytes', () => {
    const digests = new PartDigests(4);
    digests.update(bytes.subarray(0, 6));
    expect(digests.partDigest(2, 2)).toBe(sha256(bytes.subarray(4, 6)).toString('hex'));
    digests.update(bytes.subarray(6, 7));
    expect(digests.everyPartHandedOut()).toBe(false);
  });

  it('an empty stream is one empty part', () => {
    const digests = new PartDigests(4);
    expect(digests.partDigest(1, 0)).toBe(sha256(Buffer.alloc(0)).toString('hex'));
    expect(digests.everyPartHandedOut()).toBe(true);
    expect(digests.composite()).toBe(sha256(sha256(Buffer.alloc(0))).toString('hex'));
  });
});
