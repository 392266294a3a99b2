import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type BackupStore,
  type CallOptions,
  callSignal,
  compareSnapshots,
  formatSnapshotKey,
  notFound,
  parseSnapshotName,
  resolveSignal,
  type Snapshot,
  type SnapshotSource,
  type StoredSnapshot,
  TrellisError,
  throwIfAborted,
} from '@trellis/core';

const PROVIDER = 'memory';

/** Options of {@link createMemoryBackupStore}. */
export interface MemoryBackupStoreOptions {
  /** Key prefix (`<prefix>/v2/<name>`). @default 'trellis' */
  prefix?: string;
  /** Size of the stored chunks. @default 1 MiB */
  chunkSize?: number;
}

/** The in-memory backup store, with a hook to damage stored bytes in tests. */
export interface MemoryBackupStore extends BackupStore {
  /** Flips one byte of a stored snapshot, so a later fetch must fail its checksum. */
  corrupt(snapshot: Snapshot): void;
}

interface Entry {
  stored: StoredSnapshot;
  chunks: Buffer[];
  hashes: string[];
  sha256: string;
}

/** Stored chunks by content hash with reference counts: equal chunks are kept once. */
function chunkPool() {
  const chunks = new Map<string, { bytes: Buffer; references: number }>();
  return {
    acquire(bytes: Buffer): { hash: string; bytes: Buffer } {
      const hash = createHash('sha256').update(bytes).digest('hex');
      const known = chunks.get(hash);
      if (known) {
        known.references += 1;
        return { hash, bytes: known.bytes };
      }
      chunks.set(hash, { bytes, references: 1 });
      return { hash, bytes };
    },
    release(hashes: readonly string[]): void {
      for (const hash of hashes) {
        const known = chunks.get(hash);
        if (known && --known.references === 0) chunks.delete(hash);
      }
    },
  };
}

function toError(error: unknown, signal: AbortSignal | undefined, operation: string): TrellisError {
  if (signal?.aborted)
    return new TrellisError({
      code: 'Canceled',
      message: 'the save was canceled',
      cause: error,
      provider: PROVIDER,
      operation,
    });
  if (TrellisError.isInstance(error)) return error;
  return new TrellisError({
    code: 'Internal',
    message: `reading the snapshot source failed: ${error instanceof Error ? error.message : String(error)}`,
    provider: PROVIDER,
    operation,
    cause: error,
  });
}

/**
 * A `BackupStore` in memory: the reference implementation of the contract. It stores fixed-size
 * chunks in a content-addressed pool (never one concatenated buffer, and equal chunks once), keeps
 * a SHA-256 per snapshot and verifies it on fetch, and makes a snapshot visible only once it was
 * read completely. It passes `backupStoreConformance`.
 */
export function createMemoryBackupStore(options: MemoryBackupStoreOptions = {}): MemoryBackupStore {
  const { prefix = 'trellis', chunkSize = 1024 * 1024 } = options;
  const entries = new Map<string, Entry>();
  const pool = chunkPool();
  const context = (operation: string) => ({ provider: PROVIDER, operation });

  async function save(snapshot: Snapshot, data: SnapshotSource, callOptions?: CallOptions) {
    const key = formatSnapshotKey(prefix, snapshot);
    const signal = callSignal(callOptions, context('save'));
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    const hashes: string[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let size = 0;
    const store = (bytes: Buffer) => {
      const chunk = pool.acquire(bytes);
      chunks.push(chunk.bytes);
      hashes.push(chunk.hash);
    };
    try {
      for await (const piece of data as AsyncIterable<Uint8Array | string>) {
        throwIfAborted(signal, context('save'));
        let rest =
          typeof piece === 'string'
            ? Buffer.from(piece)
            : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        hash.update(rest);
        size += rest.length;
        while (pendingBytes + rest.length >= chunkSize) {
          const take = chunkSize - pendingBytes;
          store(Buffer.concat([...pending, rest.subarray(0, take)], chunkSize));
          rest = rest.subarray(take);
          pending = [];
          pendingBytes = 0;
        }
        if (rest.length > 0) {
          // Copy: the caller may reuse its buffer after yielding it.
          pending.push(Buffer.from(rest));
          pendingBytes += rest.length;
        }
      }
      throwIfAborted(signal, context('save'));
      if (pendingBytes > 0) store(Buffer.concat(pending, pendingBytes));
    } catch (error) {
      pool.release(hashes);
      throw toError(error, signal, 'save');
    }
    const parsed = parseSnapshotName(key);
    const sha256 = hash.digest('hex');
    const stored: StoredSnapshot = { ...parsed, key, size, checksum: `sha256:${sha256}` };
    const previous = entries.get(key);
    entries.set(key, { stored, chunks, hashes, sha256 });
    if (previous) pool.release(previous.hashes);
    return stored;
  }

  async function* read(entry: Entry, signal: AbortSignal | undefined) {
    const hash = createHash('sha256');
    for (const chunk of entry.chunks) {
      throwIfAborted(signal, context('fetch'));
      hash.update(chunk);
      yield Buffer.from(chunk);
    }
    if (hash.digest('hex') !== entry.sha256) {
      throw new TrellisError({
        code: 'Internal',
        message: `snapshot ${entry.stored.name} failed its SHA-256 check`,
        ...context('fetch'),
      });
    }
  }

  return {
    specificationVersion: 'v1',
    provider: PROVIDER,
    save,
    async fetch(snapshot, callOptions) {
      const signal = callSignal(callOptions, context('fetch'));
      const entry = entries.get(formatSnapshotKey(prefix, snapshot));
      if (!entry)
        throw notFound(`snapshot ${formatSnapshotKey(prefix, snapshot)} does not exist`, context('fetch'));
      return Readable.from(read(entry, signal), { objectMode: false });
    },
    async list(listOptions) {
      throwIfAborted(resolveSignal(listOptions), context('list'));
      return [...entries.values()].map((entry) => entry.stored).sort(compareSnapshots);
    },
    async delete(snapshot, callOptions) {
      throwIfAborted(resolveSignal(callOptions), context('delete'));
      const key = formatSnapshotKey(prefix, snapshot);
      const entry = entries.get(key);
      if (!entry) return;
      entries.delete(key);
      pool.release(entry.hashes);
    },
    corrupt(snapshot) {
      const entry = entries.get(formatSnapshotKey(prefix, snapshot));
      if (!entry || entry.chunks.length === 0)
        throw notFound('nothing stored to corrupt', context('corrupt'));
      // A private damaged copy: the pooled chunk may be shared by other snapshots.
      const damaged = Buffer.from(entry.chunks[0]!);
      damaged[0] = damaged[0]! ^ 0xff;
      entry.chunks[0] = damaged;
    },
  };
}
