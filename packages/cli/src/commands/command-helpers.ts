import { readFile } from 'node:fs/promises';
import { checkDns1123Label, invalidArgument, notFound } from '@trellis/core';
import type { CliContext } from '../cli-context.js';

/** Throws `InvalidArgument` unless `name` is a DNS-1123 label. */
export function assertDns1123(name: string, path: string, what: string): string {
  const issue = checkDns1123Label(name, path);
  if (issue) throw invalidArgument(`invalid ${what}`, [issue]);
  return name;
}

/** Collects repeated `--tag key=value` options into a record. */
export function collectTag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const index = value.indexOf('=');
  if (index <= 0) {
    throw invalidArgument('invalid tag', [{ path: '--tag', message: `"${value}" must be key=value` }]);
  }
  return { ...previous, [value.slice(0, index)]: value.slice(index + 1) };
}

/** Parses a non-negative integer option. */
export function parseCount(value: string, path: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw invalidArgument(`invalid ${path}`, [
      { path, message: `"${value}" must be a non-negative integer` },
    ]);
  }
  return number;
}

/** Reads a whole text file, or stdin for `-`; `NotFound` names a missing file. */
export async function readTextInput(context: CliContext, file: string, path: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of context.io.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(context.resolvePath(file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw notFound(`${path} file ${file} does not exist`, { cause: error });
    }
    throw error;
  }
}

/** Runs `action` with a spinner that succeeds or fails with it. */
export async function withProgress<T>(
  progress: { succeed(text?: string): void; fail(text?: string): void },
  action: () => Promise<T>,
  done?: (result: T) => string,
): Promise<T> {
  try {
    const result = await action();
    progress.succeed(done?.(result));
    return result;
  } catch (error) {
    progress.fail();
    throw error;
  }
}
