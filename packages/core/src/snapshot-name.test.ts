import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrellisError } from './errors.js';
import { COMPRESSION_SUFFIXES, type Snapshot } from './snapshot.js';
import {
  compareSnapshots,
  formatSnapshotKey,
  formatSnapshotName,
  parseSnapshotName,
} from './snapshot-name.js';

const created = new Date(1_700_000_000_000);

describe('snapshot names', () => {
  it('formats etcd-backup-restore v2 names and keys', () => {
    const full: Snapshot = {
      kind: 'Full',
      startRevision: 0,
      lastRevision: 42,
      createdOn: created,
      compressionSuffix: '.gz',
    };
    expect(formatSnapshotName(full)).toBe('Full-00000000-00000042-1700000000.gz');
    expect(formatSnapshotKey('backups/shoot--a/', full)).toBe(
      'backups/shoot--a/v2/Full-00000000-00000042-1700000000.gz',
    );
    expect(
      formatSnapshotKey('', { ...full, kind: 'Incr', startRevision: 43, lastRevision: 99, isFinal: true }),
    ).toBe('v2/Incr-00000043-00000099-1700000000.gz.final');
  });

  it('keeps revisions beyond 8 digits', () => {
    const name = formatSnapshotName({
      kind: 'Full',
      startRevision: 0,
      lastRevision: 123_456_789_012,
      createdOn: created,
    });
    expect(name).toBe('Full-00000000-123456789012-1700000000');
    expect(parseSnapshotName(name).lastRevision).toBe(123_456_789_012);
  });

  it('parses every compression suffix etcd-backup-restore writes', () => {
    expect(parseSnapshotName('Full-00000000-00000042-1700000000.zlib').compressionSuffix).toBe('.zlib');
    expect(parseSnapshotName('Incr-00000043-00000050-1700000000.Z.final')).toMatchObject({
      compressionSuffix: '.Z',
      isFinal: true,
    });
  });

  it('round-trips any snapshot through format and parse', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'Full' | 'Incr'>('Full', 'Incr'),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.constantFrom(...COMPRESSION_SUFFIXES),
        fc.boolean(),
        (kind, start, span, seconds, compressionSuffix, isFinal) => {
          const snapshot: Snapshot = {
            kind,
            startRevision: start,
            lastRevision: start + span,
            createdOn: new Date(seconds * 1000),
            compressionSuffix,
            isFinal,
          };
          const name = formatSnapshotName(snapshot);
          expect(parseSnapshotName(`prefix/v2/${name}`)).toEqual({ ...snapshot, name });
        },
      ),
    );
  });

  it.each([
    'Full-1-2-3',
    'Delta-00000001-00000002-1700000000',
    'Full-00000009-00000002-1700000000',
    'Full-00000001-00000002-1700000000.zip',
    'Full-00000001-00000002-1700000000.gz.sha256',
    'Full-00000001-00000002-1700000000.z',
    'Full-00000001-00000002-',
    '',
  ])('rejects the malformed name %j with InvalidArgument', (name) => {
    expect(() => parseSnapshotName(name)).toThrowError(/is not a snapshot name/);
    try {
      parseSnapshotName(name);
    } catch (error) {
      expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    }
  });

  it('rejects negative or inverted revisions when formatting', () => {
    expect(() =>
      formatSnapshotName({ kind: 'Full', startRevision: -1, lastRevision: 2, createdOn: created }),
    ).toThrow(/startRevision/);
    expect(() =>
      formatSnapshotName({ kind: 'Incr', startRevision: 5, lastRevision: 2, createdOn: created }),
    ).toThrow(/lastRevision/);
  });

  it('orders ascending by last revision, deltas before a full at the same revision', () => {
    const names = [
      'Incr-00000011-00000020-1700000300.gz',
      'Full-00000000-00000010-1700000100.gz',
      'Incr-00000001-00000010-1700000200.gz',
      'Full-00000000-00000020-1700000400.gz',
    ];
    const sorted = names.map((name) => parseSnapshotName(name)).sort(compareSnapshots);
    expect(sorted.map((snapshot) => snapshot.name)).toEqual([names[2], names[1], names[0], names[3]]);
  });
});
