import { createHash } from 'node:crypto';
import {
  checkDns1123Label,
  type ErrorCode,
  type FieldIssue,
  invalidArgument,
  type Machine,
  type MachineProvider,
  TrellisError,
} from '@trellis/core';

/** A machine pool: `replicas` machines of one machine class in one cluster. */
export interface MachinePool<Spec = unknown> {
  /** Pool name (DNS-1123 label, at most 40 characters: machine names add a hash and a slot). */
  readonly name: string;
  readonly cluster: string;
  readonly replicas: number;
  /** The provider's machine class; a change rolls every machine over to the new class. */
  readonly machineClass: Spec;
  /** Boot script of every machine (part of the class: a change rolls the machines). */
  readonly userData?: string;
  /** Machines above `replicas` a rollout may create. @default 1 */
  readonly maxSurge?: number;
  /** Machines below `replicas` a rollout may leave unavailable. @default 0 */
  readonly maxUnavailable?: number;
}

/** One machine of a pool, as the status reports it. */
export interface PoolMachineStatus {
  readonly name: string;
  readonly phase: Machine['phase'] | 'Missing';
  /** True when it runs the pool's current class. */
  readonly updated: boolean;
  /** The core error code of the last failed call for this machine. */
  readonly lastErrorCode?: ErrorCode;
}

/** What a reconcile found and did. */
export interface MachinePoolStatus {
  readonly replicas: number;
  /** Running machines of the current class. */
  readonly ready: number;
  /** Machines of the current class that are not running yet. */
  readonly pending: number;
  /** Machines the provider reported terminated or failed, replaced by this reconcile. */
  readonly failed: number;
  /** Machines of an earlier class still there. */
  readonly outdated: number;
  /** True when `replicas` machines of the current class run and no other is left. */
  readonly converged: boolean;
  readonly machines: readonly PoolMachineStatus[];
}

/** The tags that mark a pool's machines: the pool, and the hash of its class. */
export const POOL_TAG = 'trellis-pool';
export const CLASS_TAG = 'trellis-class';

/** Problems of a pool definition, with field paths. */
export function checkMachinePool(pool: MachinePool, path = ''): FieldIssue[] {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  const issues: FieldIssue[] = [];
  const name = checkDns1123Label(pool.name, at('name'));
  if (name) issues.push(name);
  else if (pool.name.length > 40) issues.push({ path: at('name'), message: 'must be at most 40 characters' });
  const cluster = checkDns1123Label(pool.cluster, at('cluster'));
  if (cluster) issues.push(cluster);
  for (const [field, value, minimum] of [
    ['replicas', pool.replicas, 0],
    ['maxSurge', pool.maxSurge ?? 1, 0],
    ['maxUnavailable', pool.maxUnavailable ?? 0, 0],
  ] as const) {
    if (!Number.isInteger(value) || value < minimum)
      issues.push({ path: at(field), message: `must be an integer of at least ${minimum}` });
  }
  if ((pool.maxSurge ?? 1) === 0 && (pool.maxUnavailable ?? 0) === 0) {
    issues.push({
      path: at('maxSurge'),
      message: 'maxSurge and maxUnavailable cannot both be 0 (a rollout could never move)',
    });
  }
  return issues;
}

/** The hash of what a machine is made from (class and user data): 10 hex characters. */
export function machineClassHash(pool: MachinePool): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([first], [second]) => first.localeCompare(second))
              .map(([key, entry]) => [key, canonical(entry)]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify([canonical(pool.machineClass), pool.userData ?? '']))
    .digest('hex')
    .slice(0, 10);
}

/** The machine of a slot: `<pool>-<class hash, 6>-<slot>`, the same after any crash, so a create is never doubled. */
export const poolMachineName = (pool: MachinePool, hash: string, slot: number) =>
  `${pool.name}-${hash.slice(0, 6)}-${slot}`;

const GONE: ReadonlySet<Machine['phase']> = new Set(['Terminated', 'Stopped']);
const LEAVING: ReadonlySet<Machine['phase']> = new Set(['Terminating', 'Stopping']);

/**
 * One reconcile of a pool: lists its machines (by the pool tag, one paged list), replaces a wanted
 * slot's machine the provider reports terminated or stopped (deleted, then created again), creates the missing slots
 * of the current class within `replicas + maxSurge`, and deletes machines of an earlier class, and
 * slots above `replicas`, while no more than `maxUnavailable` below `replicas` would be left
 * running. Machine names are deterministic per slot and class, and creates are idempotent, so a
 * reconcile cut off anywhere and run again never makes more machines than it wants.
 */
export async function reconcileMachinePool<Spec>(
  provider: MachineProvider<Spec>,
  pool: MachinePool<Spec>,
  options: { signal?: AbortSignal; onCall?: (action: string) => void } = {},
): Promise<MachinePoolStatus> {
  const issues = checkMachinePool(pool as MachinePool);
  if (issues.length > 0) throw invalidArgument(`invalid machine pool ${pool.name}`, issues);
  const { signal } = options;
  const call = <T>(action: string, run: () => Promise<T>) => {
    options.onCall?.(action);
    return run();
  };
  const hash = machineClassHash(pool as MachinePool);
  const maxSurge = pool.maxSurge ?? 1;
  const maxUnavailable = pool.maxUnavailable ?? 0;
  const errors = new Map<string, ErrorCode>();
  const attempt = async (name: string, action: string, run: () => Promise<unknown>) => {
    try {
      await call(action, run);
      return true;
    } catch (error) {
      if (signal?.aborted) throw error;
      errors.set(name, TrellisError.isInstance(error) ? error.code : 'Internal');
      return false;
    }
  };

  const listed: Machine[] = [];
  await call('listMachines', async () => {
    for await (const machine of provider.listMachines(
      { cluster: pool.cluster, tags: { [POOL_TAG]: pool.name }, includeTerminated: true },
      { signal },
    ))
      listed.push(machine);
  });

  const isCurrent = (machine: Machine) => machine.tags[CLASS_TAG] === hash;
  const wanted = new Set(
    Array.from({ length: pool.replicas }, (_, slot) => poolMachineName(pool, hash, slot)),
  );

  // A wanted slot whose machine the provider reports terminated or stopped is replaced: deleted
  // now, made again below. Other terminated machines (deleted ones a cloud still lists, what a
  // failed delete left) are the orphan collection's, so no reconcile deletes them over and over.
  let failed = 0;
  const machines = listed.filter((machine) => !GONE.has(machine.phase));
  const alive = new Set(machines.map((machine) => machine.name));
  for (const machine of listed) {
    if (!GONE.has(machine.phase) || !wanted.has(machine.name) || alive.has(machine.name)) continue;
    failed += 1;
    await attempt(machine.name, 'deleteMachine', () => provider.deleteMachine(machine, { signal }));
  }
  const byName = new Map(machines.map((machine) => [machine.name, machine]));

  // Create the missing slots of the current class, within replicas + maxSurge machines.
  let count = machines.filter((machine) => !LEAVING.has(machine.phase)).length;
  for (const name of wanted) {
    if (byName.has(name)) continue;
    if (count >= pool.replicas + maxSurge) break;
    count += 1;
    await attempt(name, 'createMachine', async () => {
      const made = await provider.createMachine(
        {
          cluster: pool.cluster,
          name,
          spec: pool.machineClass,
          ...(pool.userData ? { userData: pool.userData } : {}),
          tags: { [POOL_TAG]: pool.name, [CLASS_TAG]: hash },
        },
        { signal },
      );
      byName.set(name, made);
    });
  }

  // Delete what the pool no longer wants while enough machines keep running.
  let available = [...byName.values()].filter((machine) => machine.phase === 'Running').length;
  const surplus = [...byName.values()]
    .filter((machine) => !wanted.has(machine.name) && !LEAVING.has(machine.phase))
    // Machines that do not run go first; then the oldest.
    .sort(
      (first, second) =>
        Number(first.phase === 'Running') - Number(second.phase === 'Running') ||
        first.createdAt.getTime() - second.createdAt.getTime(),
    );
  for (const machine of surplus) {
    const running = machine.phase === 'Running';
    if (running && available - 1 < pool.replicas - maxUnavailable) break;
    if (await attempt(machine.name, 'deleteMachine', () => provider.deleteMachine(machine, { signal }))) {
      byName.delete(machine.name);
      if (running) available -= 1;
    }
  }

  const remaining = [...byName.values()];
  const current = remaining.filter((machine) => wanted.has(machine.name) && isCurrent(machine));
  const ready = current.filter((machine) => machine.phase === 'Running').length;
  const statuses: PoolMachineStatus[] = [
    ...remaining.map((machine) => ({
      name: machine.name,
      phase: machine.phase,
      updated: isCurrent(machine),
      ...(errors.has(machine.name) ? { lastErrorCode: errors.get(machine.name)! } : {}),
    })),
    ...[...wanted]
      .filter((name) => !byName.has(name))
      .map((name) => ({
        name,
        phase: 'Missing' as const,
        updated: true,
        ...(errors.has(name) ? { lastErrorCode: errors.get(name)! } : {}),
      })),
  ].sort((first, second) => first.name.localeCompare(second.name));
  const outdated = remaining.filter((machine) => !isCurrent(machine)).length;
  return {
    replicas: pool.replicas,
    ready,
    pending: current.length - ready,
    failed,
    outdated,
    converged: ready === pool.replicas && remaining.length === pool.replicas && errors.size === 0,
    machines: statuses,
  };
}
