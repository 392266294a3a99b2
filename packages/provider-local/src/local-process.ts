import { spawn } from 'node:child_process';
import { closeSync, promises as fs, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The identity of a started process: its pid plus its start time, which guards against PID reuse. */
export interface ProcessIdentity {
  readonly pid: number;
  /** `/proc/<pid>/stat` field 22 (clock ticks after boot); undefined where there is no `/proc`. */
  readonly startTime?: string;
}

interface ProcessStat {
  readonly state: string;
  readonly processGroup: number;
  readonly startTime: string;
}

/** Parses `/proc/<pid>/stat`; undefined when the process does not exist (or there is no `/proc`). */
export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  let text: string;
  try {
    text = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const processGroup = Number(fields[2]);
  const startTime = fields[19];
  if (!state || !startTime || !Number.isInteger(processGroup)) return undefined;
  return { state, processGroup, startTime };
}

const hasProc = async () =>
  fs.access('/proc/self/stat').then(
    () => true,
    () => false,
  );

/** Starts `/bin/sh <script>` detached in its own process group (session), output appended to `logFile`. */
export async function startShellProcess(options: {
  script: string;
  workingDirectory: string;
  logFile: string;
  environment: Record<string, string>;
}): Promise<ProcessIdentity> {
  const log = openSync(options.logFile, 'a', 0o600);
  try {
    const child = spawn('/bin/sh', [options.script], {
      cwd: options.workingDirectory,
      detached: true,
      env: options.environment,
      stdio: ['ignore', log, log],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    const stat = await readProcessStat(pid);
    return stat ? { pid, startTime: stat.startTime } : { pid };
  } finally {
    closeSync(log);
  }
}

/** This process's identity (pid and start time), as a record's creator. */
export async function ownIdentity(): Promise<ProcessIdentity> {
  const stat = await readProcessStat(process.pid);
  return stat ? { pid: process.pid, startTime: stat.startTime } : { pid: process.pid };
}

/** Whether the process itself (not its group) still runs: same start time, not a zombie. */
export async function isProcessAlive(identity: ProcessIdentity): Promise<boolean> {
  const stat = await readProcessStat(identity.pid);
  if (stat) {
    if (identity.startTime !== undefined && stat.startTime !== identity.startTime) return false;
    return stat.state !== 'Z' && stat.state !== 'X';
  }
  if (await hasProc()) return false;
  try {
    process.kill(identity.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process group the identity leads still has a live (non-zombie) member.
 * A pid now used by a process with another start time means ours is gone: the kernel never
 * reuses a pid while it still names a process group.
 */
export async function isGroupAlive(identity: ProcessIdentity): Promise<boolean> {
  const leader = await readProcessStat(identity.pid);
  if (leader && identity.startTime !== undefined && leader.startTime !== identity.startTime) return false;
  if (leader && leader.state !== 'Z' && leader.state !== 'X') return true;
  // No member at all (not even a zombie): the cheap answer, without reading /proc.
  if (!signalGroup(identity.pid, 0)) return false;
  if (!(await hasProc())) return true;
  return (await groupMembers(identity.pid)).length > 0;
}

/** Live (non-zombie) pids whose process group is `group`. */
async function groupMembers(group: number): Promise<number[]> {
  const pids = (await fs.readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const stats = await Promise.all(pids.map((pid) => readProcessStat(pid)));
  return pids.filter((_, index) => {
    const stat = stats[index];
    return stat !== undefined && stat.processGroup === group && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** Sends a signal to the whole process group; false when the group no longer exists. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM' && signal === 0) return true;
    throw error;
  }
}

/**
 * Stops the process group: SIGTERM, then SIGKILL once `gracePeriodMs` has passed, then waits
 * until no member is left. Does nothing when the pid now belongs to another process.
 */
export async function stopProcessGroup(
  identity: ProcessIdentity,
  gracePeriodMs: number,
  pollMs = 25,
): Promise<void> {
  if (!(await isGroupAlive(identity))) return;
  signalGroup(identity.pid, 'SIGTERM');
  const killAt = Date.now() + gracePeriodMs;
  while (await isGroupAlive(identity)) {
    if (Date.now() >= killAt) {
      signalGroup(identity.pid, 'SIGKILL');
      break;
    }
    await sleep(pollMs);
  }
  const giveUpAt = Date.now() + 10_000;
  while (await isGroupAlive(identity)) {
    if (Date.now() >= giveUpAt) throw new Error(`process group ${identity.pid} survived SIGKILL`);
    signalGroup(identity.pid, 'SIGKILL');
    await sleep(pollMs);
  }
}

/**
 * Process groups with a live member whose environment holds `entry` (`NAME=value`): how a machine
 * whose creator died between starting it and recording its pid is found again. Linux only.
 */
export async function findProcessGroupsWithEnvironment(entry: string): Promise<number[]> {
  const pids = await fs.readdir('/proc').then(
    (entries) => entries.filter((name) => /^\d+$/.test(name)).map(Number),
    () => [] as number[],
  );
  const groups = new Set<number>();
  await Promise.all(
    pids.map(async (pid) => {
      const environment = await fs.readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
      if (!environment.split('\0').includes(entry)) return;
      const stat = await readProcessStat(pid);
      if (stat && stat.state !== 'Z' && stat.state !== 'X') groups.add(stat.processGroup);
    }),
  );
  return [...groups];
}
