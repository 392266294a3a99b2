import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import {
  type CallOptions,
  type CreateMachineRequest,
  callSignal,
  checkDns1123Label,
  checkMachineNames,
  type FieldIssue,
  invalidArgument,
  type Machine,
  type MachineFilter,
  type MachineProvider,
  type MachineRef,
  machineTags,
  notFound,
  parseProviderId,
  resolveSignal,
  throwIfAborted,
} from '@trellis/core';
import {
  type LocalMachineClass,
  localMachineClass,
  type MachineRecord,
  machineRecordSchema,
  type ParsedMachineClass,
} from './local-machine-class.js';
import {
  clusterDirectory,
  IDLE_SCRIPT,
  machineEnvironment,
  machinePaths,
  toMachine,
} from './local-machine-layout.js';
import {
  findProcessGroupsWithEnvironment,
  isGroupAlive,
  isProcessAlive,
  ownIdentity,
  startShellProcess,
  stopProcessGroup,
} from './local-process.js';
import { LOCAL_PROVIDER, type ResolvedLocalSettings } from './local-settings.js';
import { fileSystemError, listDirectory, readJson, withLock, writeJsonAtomic } from './local-state-store.js';

/** The local machine provider: every machine is a process group running the user data. */
export type LocalMachineProvider = MachineProvider<LocalMachineClass>;

const checkNames = (cluster: unknown, name: unknown, operation: string) =>
  checkMachineNames(cluster, name, { provider: LOCAL_PROVIDER, operation });

function checkProviderId(ref: MachineRef, operation: string): string | undefined {
  if (ref.providerId === undefined) return undefined;
  const parsed = parseProviderId(ref.providerId);
  if (parsed.provider !== 'local' || parsed.cluster !== ref.cluster) {
    throw invalidArgument(
      'invalid machine reference',
      [
        {
          path: 'providerId',
          message: `"${ref.providerId}" is not a local machine of cluster ${ref.cluster}`,
        },
      ],
      { provider: LOCAL_PROVIDER, operation },
    );
  }
  return parsed.machineId;
}

/**
 * Most bytes of user data a local machine takes: 64 KiB, as Azure's custom data and about four
 * times EC2's 16 KiB. The script is copied into the state directory and run with `/bin/sh`.
 */
export const LOCAL_MAX_USER_DATA_BYTES = 64 * 1024;

function checkUserData(userData: string | undefined): FieldIssue | undefined {
  if (userData === undefined) return undefined;
  const bytes = Buffer.byteLength(userData);
  if (bytes <= LOCAL_MAX_USER_DATA_BYTES) return undefined;
  return {
    path: 'userData',
    message: `must be at most ${LOCAL_MAX_USER_DATA_BYTES} bytes (64 KiB), got ${bytes}`,
  };
}

/** Creates the machine provider over a state directory. */
export function createLocalMachineProvider(settings: ResolvedLocalSettings): LocalMachineProvider {
  const { logger } = settings;
  // A create may wait for a concurrent delete of the same machine, which may take the grace period.
  const lockWaitMs = settings.gracePeriodMs + 30_000;
  const readRecord = (file: string) => readJson(file, machineRecordSchema);
  const context = (operation: string) => ({ provider: LOCAL_PROVIDER, operation });

  async function describe(record: MachineRecord): Promise<Machine> {
    if (record.pid === undefined)
      return toMachine(record, false, record.creator ? await isProcessAlive(record.creator) : true);
    return toMachine(record, await isGroupAlive({ pid: record.pid, startTime: record.startTime }));
  }

  /** Stops the machine's processes: by its recorded pid, or by its id when no pid was recorded. */
  async function stop(record: MachineRecord): Promise<void> {
    if (record.pid !== undefined) {
      await stopProcessGroup({ pid: record.pid, startTime: record.startTime }, settings.gracePeriodMs);
      return;
    }
    const groups = await findProcessGroupsWithEnvironment(`TRELLIS_MACHINE_ID=${record.id}`);
    await Promise.all(groups.map((group) => stopProcessGroup({ pid: group }, settings.gracePeriodMs)));
  }

  /** The record of the ref's machine, or undefined (absent, or another VM now holds the name). */
  async function findRecord(ref: MachineRef, operation: string): Promise<MachineRecord | undefined> {
    checkNames(ref.cluster, ref.name, operation);
    const machineId = checkProviderId(ref, operation);
    const record = await readRecord(machinePaths(settings.stateDirectory(), ref.cluster, ref.name).record);
    if (record && machineId !== undefined && record.id !== machineId) return undefined;
    return record;
  }

  async function start(request: CreateMachineRequest<LocalMachineClass>, spec: ParsedMachineClass) {
    const paths = machinePaths(settings.stateDirectory(), request.cluster, request.name);
    const record: Omit<MachineRecord, 'pid' | 'startTime'> = {
      version: 'v1',
      id: `m-${randomBytes(8).toString('hex')}`,
      name: request.name,
      cluster: request.cluster,
      machineType: spec.machineType,
      ...(spec.zone === undefined ? {} : { zone: spec.zone }),
      tags: machineTags(request.cluster, request.name, request.tags),
      createdAt: new Date().toISOString(),
      creator: await ownIdentity(),
    };
    await fs.mkdir(paths.workingDirectory, { recursive: true });
    await fs.writeFile(paths.script, request.userData || IDLE_SCRIPT, { mode: 0o700 });
    // Recorded before the process starts: should this process die before recording the pid,
    // the next create or delete finds the machine's processes by its id instead of starting a second.
    await writeJsonAtomic(paths.record, record);
    const identity = await startShellProcess({
      script: paths.script,
      workingDirectory: paths.workingDirectory,
      logFile: paths.log,
      environment: machineEnvironment(record, paths, spec.environment),
    }).catch(async (error: unknown) => {
      await fs.rm(paths.directory, { recursive: true, force: true });
      throw error;
    });
    const { creator: _creator, ...started } = record;
    const complete: MachineRecord = { ...started, pid: identity.pid, startTime: identity.startTime };
    try {
      await writeJsonAtomic(paths.record, complete);
    } catch (error) {
      await stopProcessGroup(identity, settings.gracePeriodMs).catch(() => {});
      await fs.rm(paths.directory, { recursive: true, force: true });
      throw error;
    }
    logger.info({ cluster: request.cluster, machine: request.name, pid: identity.pid }, 'machine started');
    return complete;
  }

  const provider: LocalMachineProvider = {
    specificationVersion: 'v1',
    provider: LOCAL_PROVIDER,

    validateSpec: (spec) => localMachineClass.parse(spec),

    async createMachine(request, options) {
      const operation = 'createMachine';
      const issues = [
        checkDns1123Label(request.cluster, 'cluster'),
        checkDns1123Label(request.name, 'name'),
        checkUserData(request.userData),
      ];
      const parsed = localMachineClass.validate(request.spec);
      const all = [
        ...issues.filter((issue): issue is FieldIssue => issue !== undefined),
        ...(parsed.success
          ? []
          : parsed.issues.map((issue) => ({ ...issue, path: issue.path ? `spec.${issue.path}` : 'spec' }))),
      ];
      if (all.length > 0 || !parsed.success) {
        throw invalidArgument('invalid local machine', all, context(operation));
      }
      const signal = callSignal(options, context(operation));
      const paths = machinePaths(settings.stateDirectory(), request.cluster, request.name);
      try {
        const record = await withLock(
          settings.stateDirectory(),
          paths.lock,
          logger,
          async () => {
            const existing = await readRecord(paths.record);
            if (existing?.pid !== undefined) return existing;
            if (existing) {
              logger.warn(
                { cluster: request.cluster, machine: request.name },
                'restarting an interrupted create',
              );
              await stop(existing);
              await fs.rm(paths.directory, { recursive: true, force: true });
            }
            throwIfAborted(signal, context(operation));
            return start(request, parsed.data);
          },
          lockWaitMs,
        );
        return await describe(record);
      } catch (error) {
        throw fileSystemError(operation, paths.directory, error);
      }
    },

    async deleteMachine(ref, options) {
      const operation = 'deleteMachine';
      checkNames(ref.cluster, ref.name, operation);
      const signal = callSignal(options, context(operation));
      const paths = machinePaths(settings.stateDirectory(), ref.cluster, ref.name);
      try {
        await withLock(
          settings.stateDirectory(),
          paths.lock,
          logger,
          async () => {
            const record = await findRecord(ref, operation);
            if (!record) return;
            throwIfAborted(signal, context(operation));
            if (!record.deletionStartedAt) {
              await writeJsonAtomic(paths.record, { ...record, deletionStartedAt: new Date().toISOString() });
            }
            await stop(record);
            // The record goes first, so a half-removed directory is never mistaken for a machine.
            await fs.rm(paths.record, { force: true });
            await fs.rm(paths.directory, { recursive: true, force: true });
            logger.info({ cluster: ref.cluster, machine: ref.name, pid: record.pid }, 'machine deleted');
          },
          lockWaitMs,
        );
      } catch (error) {
        throw fileSystemError(operation, paths.directory, error);
      }
    },

    async getMachine(ref, options) {
      const operation = 'getMachine';
      throwIfAborted(resolveSignal(options), context(operation));
      const record = await findRecord(ref, operation);
      if (!record) {
        throw notFound(`machine ${ref.name} of cluster ${ref.cluster} does not exist`, context(operation));
      }
      return describe(record);
    },

    async *listMachines(filter: MachineFilter, options?: CallOptions) {
      const operation = 'listMachines';
      const issue = checkDns1123Label(filter.cluster, 'cluster');
      if (issue) throw invalidArgument('invalid machine filter', [issue], context(operation));
      const signal = callSignal(options, context(operation));
      const directory = clusterDirectory(settings.stateDirectory(), filter.cluster);
      const names = (await listDirectory(directory)).filter((name) => !checkDns1123Label(name, 'name'));
      for (let offset = 0; offset < names.length; offset += settings.listPageSize) {
        throwIfAborted(signal, context(operation));
        const page = names.slice(offset, offset + settings.listPageSize);
        const records = await Promise.all(
          page.map((name) =>
            readRecord(machinePaths(settings.stateDirectory(), filter.cluster, name).record),
          ),
        );
        for (const record of records) {
          if (!record || record.cluster !== filter.cluster) continue;
          if (!Object.entries(filter.tags ?? {}).every(([key, value]) => record.tags[key] === value))
            continue;
          const machine = await describe(record);
          if (machine.phase === 'Terminated' && !filter.includeTerminated) continue;
          yield machine;
        }
      }
    },
  };
  return provider;
}
