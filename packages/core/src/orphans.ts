import type { Machine } from './machine.js';
import type { MachineProvider } from './machine-provider.js';

/** Why a machine is an orphan. */
export type OrphanReason =
  /** It carries the cluster's ownership tags, but no pool or state accounts for it. */
  | 'unaccounted'
  /** What a failed delete left behind (a terminated VM, a NIC or disk without its VM). */
  | 'leftover';

/** A machine the collection looked at, with its age and what it decided. */
export interface OrphanMachine {
  readonly machine: Machine;
  readonly reason: OrphanReason;
  /** Milliseconds since the machine was created, at `now`. */
  readonly ageMs: number;
  /** True when it is younger than the minimum age: it may still be being created, so it stays. */
  readonly tooYoung: boolean;
}

/** Options of {@link selectOrphanMachines}. */
export interface OrphanSelectionOptions {
  /** The machine names a pool or state accounts for (or a test per machine). */
  readonly accountedFor: ReadonlySet<string> | ((machine: Machine) => boolean);
  /**
   * Machines younger than this are never collected: a create may have made the VM before the
   * pool or state that accounts for it was saved. @default 10 minutes
   */
  readonly minAgeMs?: number;
  /** The time ages are measured at. */
  readonly now: Date;
}

/** The default minimum age of a machine the orphan collection may delete. */
export const DEFAULT_ORPHAN_MIN_AGE_MS = 10 * 60 * 1000;

/**
 * The orphans among a cluster's machines (as `listMachines` with `includeTerminated` returns them):
 * every machine no pool or state accounts for, `unaccounted` while it lives and `leftover` once it
 * is terminated (what a failed delete left). Each carries its age; those younger than `minAgeMs`
 * are marked `tooYoung` and must be kept. A pure function: the caller lists, decides, deletes.
 * Sorted oldest first.
 */
export function selectOrphanMachines(
  machines: readonly Machine[],
  options: OrphanSelectionOptions,
): OrphanMachine[] {
  const minAgeMs = options.minAgeMs ?? DEFAULT_ORPHAN_MIN_AGE_MS;
  const accounted =
    typeof options.accountedFor === 'function'
      ? options.accountedFor
      : (machine: Machine) => (options.accountedFor as ReadonlySet<string>).has(machine.name);
  return machines
    .filter((machine) => !accounted(machine))
    .map((machine) => {
      const ageMs = Math.max(0, options.now.getTime() - machine.createdAt.getTime());
      return {
        machine,
        reason: machine.phase === 'Terminated' ? ('leftover' as const) : ('unaccounted' as const),
        ageMs,
        tooYoung: ageMs < minAgeMs,
      };
    })
    .sort(
      (first, second) => second.ageMs - first.ageMs || first.machine.name.localeCompare(second.machine.name),
    );
}

/** Options of {@link collectOrphanMachines}. */
export interface OrphanCollectionOptions extends Omit<OrphanSelectionOptions, 'now'> {
  readonly cluster: string;
  /** Only list what would be deleted. @default false */
  readonly dryRun?: boolean;
  /** @default the current time */
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

/** An orphan the collection found, and whether it deleted it. */
export interface CollectedOrphan extends OrphanMachine {
  readonly deleted: boolean;
}

/**
 * The orphan collection of one cluster: lists its machines (terminated ones included), selects the
 * orphans with {@link selectOrphanMachines}, and deletes those old enough unless `dryRun`.
 */
export async function collectOrphanMachines(
  provider: MachineProvider<unknown>,
  options: OrphanCollectionOptions,
): Promise<CollectedOrphan[]> {
  const { cluster, dryRun, signal } = options;
  const machines: Machine[] = [];
  for await (const machine of provider.listMachines({ cluster, includeTerminated: true }, { signal }))
    machines.push(machine);
  const collected: CollectedOrphan[] = [];
  for (const orphan of selectOrphanMachines(machines, { ...options, now: options.now ?? new Date() })) {
    const deleted = !orphan.tooYoung && !dryRun;
    if (deleted) await provider.deleteMachine(orphan.machine, { signal });
    collected.push({ ...orphan, deleted });
  }
  return collected;
}
