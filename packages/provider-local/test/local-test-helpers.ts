import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TrellisError } from '@trellis/core';
import { afterAll, beforeAll } from 'vitest';
import { createLocalProvider, type LocalProvider, type LocalProviderSettings } from '../src/index.js';

/** A provider over a fresh temp state directory, and a cleanup that kills and removes everything. */
export async function temporaryProvider(
  settings: Omit<LocalProviderSettings, 'stateDirectory'> = {},
): Promise<{ provider: LocalProvider; stateDirectory: string; cleanup: () => Promise<void> }> {
  const stateDirectory = await fs.mkdtemp(path.join(tmpdir(), 'trellis-local-'));
  const provider = createLocalProvider({ gracePeriodMs: 2000, ...settings, stateDirectory });
  return {
    provider,
    stateDirectory,
    cleanup: async () => {
      await killEverythingUnder(stateDirectory);
      await fs.rm(stateDirectory, { recursive: true, force: true });
    },
  };
}

/** The provider of {@link useTemporaryProvider}; read it only inside tests. */
export interface TemporaryProvider {
  readonly provider: LocalProvider;
  readonly stateDirectory: string;
}

/**
 * A {@link temporaryProvider} made in beforeAll and cleaned up in afterAll of the enclosing
 * describe block (or file).
 */
export function useTemporaryProvider(
  settings: Omit<LocalProviderSettings, 'stateDirectory'> = {},
): TemporaryProvider {
  let made: Awaited<ReturnType<typeof temporaryProvider>> | undefined;
  beforeAll(async () => {
    made = await temporaryProvider(settings);
  });
  afterAll(() => made?.cleanup());
  const current = () => {
    if (!made) throw new Error('the temporary provider is not made yet (use it inside a test)');
    return made;
  };
  return {
    get provider() {
      return current().provider;
    },
    get stateDirectory() {
      return current().stateDirectory;
    },
  };
}

/**
 * Kills every process group that runs a machine of this state directory (the afterAll safety net),
 * found by the TRELLIS_MACHINE_DIR environment of every live process, independently of the state files.
 */
export async function killEverythingUnder(stateDirectory: string): Promise<void> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environment = await fs.readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    const directory = environment
      .split('\0')
      .find((variable) => variable.startsWith('TRELLIS_MACHINE_DIR='))
      ?.slice('TRELLIS_MACHINE_DIR='.length);
    if (!directory?.startsWith(`${stateDirectory}${path.sep}`)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    try {
      if (group > 1) process.kill(-group, 'SIGKILL');
    } catch {}
  }
}

/** Whether a pid exists as a live (non-zombie) process. */
export async function isProcessAlive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

/**
 * How many live process groups run a machine of `cluster` (and `name`), found by the
 * TRELLIS_CLUSTER / TRELLIS_MACHINE_NAME environment of every process in /proc.
 */
export async function countMachineProcessGroups(cluster: string, name?: string): Promise<number> {
  const groups = new Set<string>();
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environment = await fs.readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    const variables = new Set(environment.split('\0'));
    if (!variables.has(`TRELLIS_CLUSTER=${cluster}`)) continue;
    if (name !== undefined && !variables.has(`TRELLIS_MACHINE_NAME=${name}`)) continue;
    if (!(await isProcessAlive(Number(entry)))) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const group = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
    if (group) groups.add(group);
  }
  return groups.size;
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<TrellisError> {
  try {
    await promise;
  } catch (error) {
    return error as TrellisError;
  }
  throw new Error('expected the call to reject, it resolved');
}
