import type { FieldIssue, TrellisError } from '@trellis/core';
import { checkMachinePool, type MachinePool } from './machine-pool.js';

/**
 * Checks one pool as a source read it — the pool's own fields and, with `validateMachineClass` (a
 * provider's `validateSpec`), its machine class — and returns the pool with the validated class and
 * every problem with its path under `path` (`pools[2]`, `spec`).
 */
export function parsePoolDefinition<Spec>(
  entry: unknown,
  path: string,
  validateMachineClass?: (machineClass: unknown) => Spec,
): { pool: MachinePool<Spec>; issues: FieldIssue[] } {
  const pool = (entry ?? {}) as MachinePool<Spec>;
  const issues = checkMachinePool(pool as MachinePool, path);
  if (!validateMachineClass) return { pool, issues };
  try {
    return { pool: { ...pool, machineClass: validateMachineClass(pool.machineClass) }, issues };
  } catch (error) {
    for (const issue of (error as TrellisError).issues ?? [
      { path: '', message: String((error as Error).message) },
    ]) {
      issues.push({
        path: `${path ? `${path}.` : ''}machineClass${issue.path ? `.${issue.path}` : ''}`,
        message: issue.message,
      });
    }
    return { pool, issues };
  }
}
