import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type FieldIssue, invalidArgument, TrellisError } from '@trellis/core';
import { parse } from 'yaml';
import type { MachinePool } from './machine-pool.js';
import { parsePoolDefinition } from './pool-definition.js';

/** Options of {@link watchPoolFile}. */
export interface PoolFileOptions<Spec> {
  /** Called with the pools every time the file changes and reads as valid (and once at start). */
  readonly onPools: (pools: MachinePool<Spec>[]) => void;
  /** Called when the file is missing or invalid; the last valid pools stay in force. */
  readonly onError?: (error: TrellisError) => void;
  /** Checks each pool's machine class (a provider's `validateSpec`), before any pool is handed on. */
  readonly validateMachineClass?: (machineClass: unknown) => Spec;
  /** How often the file is checked for changes. @default 1000 */
  readonly intervalMs?: number;
}

/** Reads a pool file: YAML or JSON, `{ pools: [...] }` or a list; every problem with its path. */
export async function readPoolFile<Spec>(
  path: string,
  validateMachineClass?: (machineClass: unknown) => Spec,
): Promise<MachinePool<Spec>[]> {
  let document: unknown;
  try {
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'NotFound' : 'InvalidArgument';
    throw new TrellisError({ code, message: `pool file ${path}: ${(error as Error).message}`, cause: error });
  }
  const list = Array.isArray(document) ? document : (document as { pools?: unknown } | null)?.pools;
  if (!Array.isArray(list))
    throw invalidArgument(`pool file ${path}`, [
      { path: 'pools', message: 'must be a list of machine pools' },
    ]);
  const issues: FieldIssue[] = [];
  const pools = list.map((entry, index) => {
    const parsed = parsePoolDefinition(entry, `pools[${index}]`, validateMachineClass);
    issues.push(...parsed.issues);
    return parsed.pool;
  });
  const names = new Set<string>();
  pools.forEach((pool, index) => {
    const key = `${pool.cluster}/${pool.name}`;
    if (names.has(key)) issues.push({ path: `pools[${index}].name`, message: `pool ${key} is listed twice` });
    names.add(key);
  });
  if (issues.length > 0) throw invalidArgument(`pool file ${path}`, issues);
  return pools;
}

/**
 * The desired state from a YAML or JSON file, watched for changes: the pools go to `onPools` when
 * the file is valid; a missing or invalid file goes to `onError` and changes nothing (the pools read
 * before stay in force), so a half-saved edit never scales a pool to zero.
 */
export async function watchPoolFile<Spec>(
  path: string,
  options: PoolFileOptions<Spec>,
): Promise<{ close(): void }> {
  let last = '';
  const load = async () => {
    try {
      const pools = await readPoolFile(path, options.validateMachineClass);
      const text = JSON.stringify(pools);
      if (text === last) return;
      last = text;
      options.onPools(pools);
    } catch (error) {
      options.onError?.(
        TrellisError.isInstance(error)
          ? error
          : new TrellisError({ code: 'Internal', message: String(error), cause: error }),
      );
    }
  };
  await load();
  const listener = () => void load();
  watchFile(path, { interval: options.intervalMs ?? 1000, persistent: false }, listener);
  return { close: () => unwatchFile(path, listener) };
}
