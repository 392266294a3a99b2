import { hostname } from 'node:os';
import path from 'node:path';
import { formatProviderId, type Machine, type MachinePhase } from '@trellis/core';
import type { MachineRecord } from './local-machine-class.js';

/** Where one machine lives in the state directory. */
export interface MachinePaths {
  /** `machines/<cluster>/<name>` */
  readonly directory: string;
  /** The record, `machine.json`. */
  readonly record: string;
  /** The user data, run with `/bin/sh`. */
  readonly script: string;
  /** stdout and stderr of the user data. */
  readonly log: string;
  /** The working directory of the user data. */
  readonly workingDirectory: string;
  /** Lock name, under `locks/`. */
  readonly lock: string;
}

/** The directory holding a cluster's machines. */
export function clusterDirectory(stateDirectory: string, cluster: string): string {
  return path.join(stateDirectory, 'machines', cluster);
}

/** The paths of one machine; cluster and name are DNS-1123 labels (checked before). */
export function machinePaths(stateDirectory: string, cluster: string, name: string): MachinePaths {
  const directory = path.join(clusterDirectory(stateDirectory, cluster), name);
  return {
    directory,
    record: path.join(directory, 'machine.json'),
    script: path.join(directory, 'user-data.sh'),
    log: path.join(directory, 'machine.log'),
    workingDirectory: path.join(directory, 'work'),
    lock: path.join('machines', cluster, name),
  };
}

/** The provider id of a local machine: `local:///<cluster>/<machine-id>`. */
export function localProviderId(record: Pick<MachineRecord, 'cluster' | 'id'>): string {
  return formatProviderId({ provider: 'local', cluster: record.cluster, machineId: record.id });
}

/** The machine as the contract reports it. */
export function toMachine(record: MachineRecord, alive: boolean, creatorAlive = true): Machine {
  let phase: MachinePhase = alive ? 'Running' : 'Terminated';
  // No pid yet: being created while its creator lives; an interrupted create once it is gone.
  if (record.pid === undefined) phase = creatorAlive ? 'Pending' : 'Terminated';
  else if (alive && record.deletionStartedAt) phase = 'Terminating';
  return {
    name: record.name,
    cluster: record.cluster,
    providerId: localProviderId(record),
    phase,
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: hostname() },
    ],
    ...(record.zone === undefined ? {} : { zone: record.zone }),
    machineType: record.machineType,
    tags: { ...record.tags },
    createdAt: new Date(record.createdAt),
  };
}

/** Environment variables a machine's user data sees besides its spec's `environment`. */
const INHERITED_VARIABLES = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/**
 * The user data's environment: a few basics of this process (never its credentials), the spec's
 * variables, then `TRELLIS_MACHINE_NAME`, `TRELLIS_CLUSTER`, `TRELLIS_MACHINE_ID`, `TRELLIS_MACHINE_DIR`.
 */
export function machineEnvironment(
  record: Pick<MachineRecord, 'id' | 'name' | 'cluster' | 'zone'>,
  paths: MachinePaths,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) environment[name] = value;
  }
  return {
    ...environment,
    ...extra,
    TRELLIS_MACHINE_NAME: record.name,
    TRELLIS_CLUSTER: record.cluster,
    TRELLIS_MACHINE_ID: record.id,
    TRELLIS_MACHINE_DIR: paths.directory,
    ...(record.zone === undefined ? {} : { TRELLIS_ZONE: record.zone }),
  };
}

/** What a machine without user data runs: it idles until deleted, like a VM with nothing to do. */
export const IDLE_SCRIPT = 'while :; do sleep 3600; done\n';
