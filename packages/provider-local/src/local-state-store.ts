import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { type Logger, TrellisError, type z } from '@trellis/core';
import lockfile from 'proper-lockfile';
import { LOCAL_PROVIDER } from './local-settings.js';

/** True for a Node system error with the given code. */
export function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * A `TrellisError` naming the state file that cannot be used, never overwriting it: `InvalidArgument`
 * (exit 2 in the CLI), the same answer the CLI gives for a damaged infrastructure state file.
 */
export function corruptStateError(file: string, problem: string, cause?: unknown): TrellisError {
  return new TrellisError({
    code: 'InvalidArgument',
    provider: LOCAL_PROVIDER,
    message: `state file ${file} is corrupt: ${problem}; it was left untouched (repair it or move it away)`,
    cause,
  });
}

/** Wraps an unexpected file system error. */
export function fileSystemError(operation: string, file: string, cause: unknown): TrellisError {
  if (TrellisError.isInstance(cause)) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TrellisError({
    code: isErrorCode(cause, 'ENOSPC') || isErrorCode(cause, 'EMFILE') ? 'ResourceExhausted' : 'Internal',
    provider: LOCAL_PROVIDER,
    operation,
    message: `${operation} failed on ${file}: ${reason}`,
    cause,
  });
}

/** Flushes a directory entry (after a rename or unlink), where the platform allows it. */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(directory, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    // Some platforms cannot open or fsync a directory; the rename itself is still atomic.
    if (!isErrorCode(error, 'EISDIR') && !isErrorCode(error, 'EPERM') && !isErrorCode(error, 'EINVAL')) {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}

/** A temporary file name beside `file`: hidden, unique, recognisable. */
export function temporaryPath(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

/** Writes `value` as JSON atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const directory = path.dirname(file);
  await fs.mkdir(directory, { recursive: true });
  const temporary = temporaryPath(file);
  try {
    const handle = await fs.open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
    await fsyncDirectory(directory);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw fileSystemError('write state', file, error);
  }
}

/**
 * Reads a JSON state file and checks it against `schema`. Returns undefined when the file is
 * absent; throws {@link corruptStateError} when it is not valid JSON or not the expected shape.
 */
export async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw fileSystemError('read state', file, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corruptStateError(file, `not valid JSON (${(error as Error).message})`, error);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) =>
        issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
      )
      .join('; ');
    throw corruptStateError(file, `unexpected content (${problems})`, result.error);
  }
  return result.data;
}

/** Lists the entries of a directory; an absent directory has none. */
export async function listDirectory(directory: string): Promise<string[]> {
  try {
    return (await fs.readdir(directory)).sort();
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return [];
    throw fileSystemError('list state', directory, error);
  }
}

/**
 * Runs `action` while holding an inter-process lock named `name` (a `proper-lockfile` lock
 * under `<stateDirectory>/locks`), so two processes never change one state file at once.
 */
export async function withLock<T>(
  stateDirectory: string,
  name: string,
  logger: Logger,
  action: () => Promise<T>,
  waitMs = 30_000,
): Promise<T> {
  const target = path.join(stateDirectory, 'locks', name);
  await fs.mkdir(path.dirname(target), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      stale: 10_000,
      retries: {
        retries: Math.ceil(waitMs / 100),
        factor: 1,
        minTimeout: 50,
        maxTimeout: 100,
        randomize: true,
      },
      onCompromised: (error) => logger.warn({ lock: target, error: error.message }, 'state lock compromised'),
    });
  } catch (error) {
    throw new TrellisError({
      code: 'Unavailable',
      provider: LOCAL_PROVIDER,
      message: `state ${name} is locked by another process (${target}.lock)`,
      cause: error,
    });
  }
  try {
    return await action();
  } finally {
    await release().catch((error: Error) =>
      logger.warn({ lock: target, error: error.message }, 'could not release state lock'),
    );
  }
}
