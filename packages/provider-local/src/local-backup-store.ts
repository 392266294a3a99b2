import { createReadStream, createWriteStream, type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline as pipelineCallback, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BackupStore,
  type CallOptions,
  callSignal,
  canceled,
  compareSnapshots,
  formatSnapshotKey,
  formatSnapshotName,
  isSnapshotName,
  notFound,
  parseSnapshotName,
  resolveSignal,
  type Snapshot,
  type SnapshotSource,
  type StoredSnapshot,
  TrellisError,
  throwIfAborted,
} from '@trellis/core';
import {
  CHECKSUM_DIRECTORY,
  CHECKSUM_SUFFIX,
  HashingStream,
  readChecksum,
  VerifyingStream,
} from './local-backup-checksum.js';
import { type LocalBackupConfig, localBackupConfig } from './local-backup-config.js';
import { LOCAL_PROVIDER, type ResolvedLocalSettings } from './local-settings.js';
import { fileSystemError, fsyncDirectory, isErrorCode, temporaryPath } from './local-state-store.js';
import { removeStaleTemporaryFiles } from './local-temporary-files.js';

/**
 * Creates a filesystem backup store: snapshots are files at `<directory>/<prefix>/v2/<name>`
 * (etcd-backup-restore's layout), each with a sha256 checksum (`sha256sum` format) at
 * `<directory>/.trellis-checksums/<prefix>/<name>.sha256`, outside the prefix.
 */
export function createLocalBackupStore(
  config: LocalBackupConfig,
  settings: ResolvedLocalSettings,
): BackupStore {
  const { directory, prefix } = localBackupConfig.parse(config);
  let root: string | undefined;
  const rootDirectory = () => {
    root ??= path.resolve(process.cwd(), directory ?? path.join(settings.stateDirectory(), 'backups'));
    return root;
  };
  const fileOf = (snapshot: Snapshot) => path.join(rootDirectory(), formatSnapshotKey(prefix, snapshot));
  const snapshotDirectory = () =>
    path.dirname(fileOf({ kind: 'Full', startRevision: 0, lastRevision: 0, createdOn: new Date(0) }));
  const context = (operation: string) => ({ provider: LOCAL_PROVIDER, operation });
  // Checksums live outside `<prefix>/`, where etcd-backup-restore never looks: it takes every
  // object under the prefix for a snapshot, and a sidecar beside each broke its restore.
  const checksumOf = (file: string) =>
    path.join(
      rootDirectory(),
      CHECKSUM_DIRECTORY,
      prefix.replace(/\/+$/, ''),
      `${path.basename(file)}${CHECKSUM_SUFFIX}`,
    );
  /** Checksum files of earlier versions, beside the snapshot: still read, and removed. */
  const legacyChecksumOf = (file: string) => `${file}${CHECKSUM_SUFFIX}`;
  /** A snapshot's sha256 (hex) from its checksum file, or an earlier version's beside it. */
  const storedChecksum = async (file: string) =>
    (await readChecksum(checksumOf(file))) ?? (await readChecksum(legacyChecksumOf(file)));
  // Once per store: temporary files a killed save left behind (never listed, so never deleted).
  let swept: Promise<unknown> | undefined;
  const sweep = () => {
    swept ??= removeStaleTemporaryFiles(snapshotDirectory(), settings.logger).catch((error: unknown) => {
      swept = undefined;
      throw error;
    });
    return swept;
  };

  async function describe(file: string, size?: number): Promise<StoredSnapshot> {
    const name = path.basename(file);
    const parsed = parseSnapshotName(name);
    const stats = size === undefined ? await fs.stat(file) : undefined;
    const checksum = await storedChecksum(file);
    return {
      ...parsed,
      key: path.relative(rootDirectory(), file).split(path.sep).join('/'),
      size: size ?? stats?.size ?? 0,
      ...(checksum === undefined ? {} : { checksum: `sha256:${checksum}` }),
    };
  }

  return {
    specificationVersion: 'v1',
    provider: LOCAL_PROVIDER,

    async save(snapshot: Snapshot, data: SnapshotSource, options?: CallOptions) {
      const signal = callSignal(options, context('save'));
      await sweep();
      const file = fileOf(snapshot);
      const temporary = temporaryPath(file);
      try {
        await fs.mkdir(path.dirname(file), { recursive: true });
        const hashing = new HashingStream();
        await pipeline(
          data,
          hashing,
          createWriteStream(temporary, { flags: 'wx', mode: 0o600, flush: true }),
          {
            ...(signal ? { signal } : {}),
          },
        );
        const checksum = hashing.digest();
        await fs.mkdir(path.dirname(checksumOf(file)), { recursive: true });
        await writeChecksum(checksumOf(file), `${checksum}  ${path.basename(file)}\n`);
        await fs.rename(temporary, file);
        await fs.rm(legacyChecksumOf(file), { force: true });
        await fsyncDirectory(path.dirname(file));
        settings.logger.info({ snapshot: path.basename(file), size: hashing.size }, 'snapshot saved');
        return await describe(file, hashing.size);
      } catch (error) {
        await fs.rm(temporary, { force: true });
        if (signal?.aborted) throw canceled(signal.reason, context('save'));
        if (TrellisError.isInstance(error)) throw error;
        throw new TrellisError({
          code: 'Internal',
          provider: LOCAL_PROVIDER,
          operation: 'save',
          message: `save of snapshot ${formatSnapshotName(snapshot)} failed: ${(error as Error).message}`,
          cause: error,
        });
      }
    },

    async fetch(snapshot: Snapshot, options?: CallOptions): Promise<Readable> {
      const signal = callSignal(options, context('fetch'));
      const file = fileOf(snapshot);
      const key = formatSnapshotKey(prefix, snapshot);
      // 1 MiB reads: a restore streams the whole snapshot through gunzip, much faster in big chunks.
      const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
      try {
        await new Promise<void>((resolve, reject) => {
          input.once('open', () => resolve());
          input.once('error', reject);
        });
      } catch (error) {
        if (isErrorCode(error, 'ENOENT')) throw notFound(`snapshot ${key} does not exist`, context('fetch'));
        throw fileSystemError('fetch', file, error);
      }
      const expected = await storedChecksum(file).catch((error: unknown) => {
        input.destroy();
        throw error;
      });
      if (expected === undefined) {
        settings.logger.warn(
          { snapshot: key },
          'snapshot has no checksum file: fetched without verification',
        );
        return input;
      }
      const verifying = new VerifyingStream(expected, key);
      pipelineCallback(input, verifying, () => {});
      if (signal) {
        const abort = () => verifying.destroy(canceled(signal.reason, context('fetch')));
        signal.addEventListener('abort', abort, { once: true });
        verifying.once('close', () => signal.removeEventListener('abort', abort));
      }
      return verifying;
    },

    async list(options) {
      throwIfAborted(resolveSignal(options), context('list'));
      await sweep();
      // Only complete snapshots: regular files with a snapshot name (not a chunk directory named
      // like one, not a temporary file). `includeAll` also walks the rest of the prefix (v1/).
      const files = options?.includeAll
        ? await snapshotFiles(path.join(rootDirectory(), prefix), { recursive: true })
        : await snapshotFiles(snapshotDirectory(), { recursive: false });
      const stored: StoredSnapshot[] = [];
      for (const file of files) {
        try {
          stored.push(await describe(file));
        } catch (error) {
          if (isErrorCode(error, 'ENOENT')) continue; // deleted while listing
          throw fileSystemError('list', file, error);
        }
      }
      return stored.sort(compareSnapshots);
    },

    async delete(snapshot: Snapshot, options?: CallOptions) {
      throwIfAborted(resolveSignal(options), context('delete'));
      const file = fileOf(snapshot);
      try {
        await fs.rm(file, { force: true });
        await fs.rm(checksumOf(file), { force: true });
        await fs.rm(legacyChecksumOf(file), { force: true });
        await fsyncDirectory(path.dirname(file)).catch((error: unknown) => {
          if (!isErrorCode(error, 'ENOENT')) throw error;
        });
      } catch (error) {
        throw fileSystemError('delete', file, error);
      }
    },
  };
}

/**
 * Regular files with a snapshot name in `directory` (or anywhere under it, for other layouts such
 * as v1/): never a directory named like a snapshot, never a hidden temporary file.
 */
async function snapshotFiles(directory: string, options: { recursive: boolean }): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(directory, { withFileTypes: true, recursive: options.recursive });
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return [];
    throw fileSystemError('list', directory, error);
  }
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && isSnapshotName(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

async function writeChecksum(file: string, line: string): Promise<void> {
  const temporary = temporaryPath(file);
  try {
    await fs.writeFile(temporary, line, { flag: 'wx', mode: 0o600, flush: true });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
