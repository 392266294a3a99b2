import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument, notFound } from '@trellis/core';
import type { CliContext } from '../cli-context.js';

/** A stream over the bytes to save: a file, or stdin for `-` or no file. */
export async function openSnapshotSource(context: CliContext, file: string | undefined) {
  if (file === undefined || file === '-') {
    if ((context.io.stdin as { isTTY?: boolean }).isTTY) {
      throw invalidArgument('no snapshot data', [
        { path: 'file', message: "give a file, or pipe the data into stdin ('-')" },
      ]);
    }
    return context.io.stdin as Readable;
  }
  const path = context.resolvePath(file);
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw invalidArgument('not a file', [{ path: 'file', message: `${file} is not a file` }]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`file ${file} does not exist`);
    throw error;
  }
  return createReadStream(path);
}

/**
 * Streams fetched bytes to a file (through a temp file that is renamed into place only when
 * every byte arrived and was verified) or to stdout for `-` or no file. Resolves to the file's size.
 */
export async function writeSnapshotData(
  context: CliContext,
  data: Readable,
  file: string | undefined,
): Promise<number | undefined> {
  const { signal } = context;
  if (file === undefined || file === '-') {
    await pipeline(data, context.io.stdout, { signal, end: false });
    return undefined;
  }
  const path = context.resolvePath(file);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline(data, createWriteStream(temporary, { flags: 'wx' }), { signal });
    const handle = await open(temporary, 'r+');
    let bytes: number;
    try {
      await handle.sync();
      bytes = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    return bytes;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
