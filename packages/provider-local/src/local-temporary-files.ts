import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@trellis/core';
import { isErrorCode, listDirectory } from './local-state-store.js';

/** `temporaryPath`'s names: `.<file>.<pid>.<random>.tmp`. */
const TEMPORARY_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** A temporary file not written for this long is stale even if its pid runs (a reused pid). @default 1 h */
export const STALE_TEMPORARY_AFTER_MS = 3_600_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrorCode(error, 'EPERM');
  }
}

/**
 * Removes temporary files a killed save left in `directory`: those whose writer (the pid in the
 * name) no longer runs, or that nobody has written to for {@link STALE_TEMPORARY_AFTER_MS}. A save
 * in progress keeps writing its file, so it is never removed. Returns the names removed.
 */
export async function removeStaleTemporaryFiles(
  directory: string,
  logger: Logger,
  now = Date.now(),
  staleAfterMs = STALE_TEMPORARY_AFTER_MS,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listDirectory(directory)) {
    const match = TEMPORARY_NAME.exec(name);
    if (!match) continue;
    const file = path.join(directory, name);
    try {
      const { mtimeMs } = await fs.stat(file);
      const pid = Number(match[1]);
      const fresh = now - mtimeMs < staleAfterMs;
      if (fresh && (pid === process.pid || isRunning(pid))) continue;
      await fs.rm(file, { force: true });
      removed.push(name);
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT')) throw error;
    }
  }
  if (removed.length > 0) logger.info({ directory, files: removed }, 'removed stale temporary files');
  return removed;
}
