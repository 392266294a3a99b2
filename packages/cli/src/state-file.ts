import { readFile, rm } from 'node:fs/promises';
import type { InfrastructureState, InfrastructureStatus } from '@trellis/core';
import { infrastructureStateSchema, invalidArgument, TrellisError, toFieldIssues, z } from '@trellis/core';
import { writeFileAtomic } from './atomic-write.js';

/** What the CLI keeps in an infra state file. */
const stateFileSchema = z.object({
  version: z.literal('v1'),
  provider: z.string().min(1),
  cluster: z.string().min(1),
  region: z.string().min(1),
  updatedAt: z.string(),
  state: infrastructureStateSchema,
  status: z.record(z.string(), z.unknown()).optional(),
});

/** The content of an infra state file. */
export interface StateFile {
  readonly version: 'v1';
  readonly provider: string;
  readonly cluster: string;
  readonly region: string;
  readonly updatedAt: string;
  /** The provider's infrastructure state (what was created, by id). */
  readonly state: InfrastructureState;
  /** The status of the last complete reconcile; absent while a reconcile is in progress. */
  readonly status?: InfrastructureStatus;
}

/** Default state file of a cluster, relative to the working directory. */
export function defaultStateFile(cluster: string): string {
  return `.trellis/infra-${cluster}.json`;
}

function corrupt(file: string, issues: { path: string; message: string }[]) {
  return invalidArgument(
    `state file ${file} is corrupt; it was left untouched (repair it or move it away)`,
    issues,
  );
}

/** Reads and validates a state file; undefined when it does not exist. Never modifies it. */
export async function readStateFile(path: string, file = path): Promise<StateFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TrellisError({ code: 'Internal', message: `cannot read state file ${file}`, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, [{ path: '', message: `not valid JSON (${(error as Error).message})` }]);
  }
  const result = stateFileSchema.safeParse(json);
  if (!result.success) throw corrupt(file, toFieldIssues(result.error));
  return result.data as StateFile;
}

/** Writes a state file atomically. */
export async function writeStateFile(path: string, content: StateFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`);
}

/** Removes a state file (after a complete delete). */
export async function removeStateFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * A writer that applies writes to one state file in call order, even when a provider reports
 * the state of parallel steps without waiting, so an older state never replaces a newer one.
 */
export function createStateFileWriter(path: string): (content: StateFile) => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return (content) => {
    const next = last.catch(() => {}).then(() => writeStateFile(path, content));
    last = next;
    return next;
  };
}
