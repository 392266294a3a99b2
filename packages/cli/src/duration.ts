import { invalidArgument } from '@trellis/core';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/**
 * Parses a Go-style duration (`0`, `30s`, `15m`, `1h30m`, `72h`, `7d`) into milliseconds, as
 * etcd-backup-restore's `--delta-snapshot-retention-period` takes it.
 */
export function parseDuration(text: string, path: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!WHOLE.test(trimmed)) {
    throw invalidArgument('invalid duration', [
      { path, message: `"${text}" is not a duration (examples: 0, 90s, 30m, 1h30m, 72h, 7d)` },
    ]);
  }
  let total = 0;
  for (const match of trimmed.matchAll(PART)) total += Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
  return Math.round(total);
}
