import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads Go-style durations as milliseconds', () => {
    expect(parseDuration('0', 'd')).toBe(0);
    expect(parseDuration('90s', 'd')).toBe(90_000);
    expect(parseDuration('1h30m', 'd')).toBe(5_400_000);
    expect(parseDuration('7d', 'd')).toBe(604_800_000);
    expect(parseDuration('1.5h', 'd')).toBe(5_400_000);
    expect(parseDuration('250ms', 'd')).toBe(250);
  });

  it('rejects anything else with the option as field path', () => {
    for (const text of ['', 'soon', '10', '-1h', '1h 30m', 'h']) {
      try {
        parseDuration(text, '--delta-retention');
        expect.unreachable(`"${text}" was accepted`);
      } catch (error) {
        expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
        expect((error as TrellisError).issues[0]?.path).toBe('--delta-retention');
      }
    }
  });
});
