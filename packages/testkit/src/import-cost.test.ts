import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coldImportCost, compareColdImports } from './import-cost.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('cold import cost', () => {
  it('measures imports in fresh processes and reports medians of alternating runs', () => {
    const cost = coldImportCost(['node:zlib'], here);
    expect(cost.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(cost.milliseconds).toBeGreaterThanOrEqual(0);
    const [first, second] = compareColdImports(['node:zlib'], ['node:http'], { cwd: here, runs: 3 });
    expect(first.runs).toHaveLength(3);
    expect(second.runs).toHaveLength(3);
    expect([...first.runs.map((run) => run.milliseconds)].sort((a, b) => a - b)[1]).toBe(
      first.medianMilliseconds,
    );
  });

  it('says what failed when a package cannot be imported', () => {
    expect(() => coldImportCost(['@trellis/no-such-package'], here)).toThrow(
      /importing @trellis\/no-such-package failed/,
    );
  });
});
