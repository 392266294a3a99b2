import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { LOCAL_MAX_USER_DATA_BYTES } from '../src/index.js';
import {
  countMachineProcessGroups,
  isProcessAlive,
  useTemporaryProvider,
  waitFor,
} from './local-test-helpers.js';

describe('local machines', () => {
  const local = useTemporaryProvider({ gracePeriodMs: 500 });

  const machineJson = (cluster: string, name: string) =>
    path.join(local.stateDirectory, 'machines', cluster, name, 'machine.json');
  const pidOf = async (cluster: string, name: string) =>
    JSON.parse(await fs.readFile(machineJson(cluster, name), 'utf8')).pid as number;

  it('runs the user data with its environment in its own directory and logs its output', async () => {
    const machine = await local.provider.machines.createMachine({
      cluster: 'env',
      name: 'm0',
      spec: { environment: { GREETING: 'hello' } },
      userData: 'echo "$GREETING $TRELLIS_MACHINE_NAME $TRELLIS_CLUSTER $PWD"; exec sleep 60',
    });
    expect(machine.phase).toBe('Running');
    expect(machine.providerId).toMatch(/^local:\/\/\/env\/m-[0-9a-f]+$/);
    expect(machine.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    const log = path.join(local.stateDirectory, 'machines', 'env', 'm0', 'machine.log');
    await waitFor(async () => (await fs.readFile(log, 'utf8')).includes('hello'));
    expect(await fs.readFile(log, 'utf8')).toBe(
      `hello m0 env ${path.join(local.stateDirectory, 'machines', 'env', 'm0', 'work')}\n`,
    );
    await local.provider.machines.deleteMachine({ cluster: 'env', name: 'm0' });
  });

  it('reports Terminated once the user data has exited, until deleted', async () => {
    await local.provider.machines.createMachine({
      cluster: 'exit',
      name: 'm0',
      spec: {},
      userData: 'exit 0',
    });
    const ref = { cluster: 'exit', name: 'm0' };
    expect(
      await waitFor(async () => (await local.provider.machines.getMachine(ref)).phase === 'Terminated'),
    ).toBe(true);
    const listed = [];
    for await (const machine of local.provider.machines.listMachines({
      cluster: 'exit',
      includeTerminated: true,
    })) {
      listed.push(machine.name);
    }
    expect(listed).toEqual(['m0']);
    await local.provider.machines.deleteMachine(ref);
    await expect(local.provider.machines.getMachine(ref)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('kills the whole process group on delete, children included', async () => {
    await local.provider.machines.createMachine({
      cluster: 'group',
      name: 'm0',
      spec: {},
      // The child ignores nothing but runs in the background, after the shell itself.
      userData: 'sleep 300 & echo $! > child.pid; wait',
    });
    const childPidFile = path.join(local.stateDirectory, 'machines', 'group', 'm0', 'work', 'child.pid');
    await waitFor(async () => (await fs.readFile(childPidFile, 'utf8').catch(() => '')).trim() !== '');
    const child = Number(await fs.readFile(childPidFile, 'utf8'));
    const leader = await pidOf('group', 'm0');
    expect(await isProcessAlive(child)).toBe(true);
    await local.provider.machines.deleteMachine({ cluster: 'group', name: 'm0' });
    expect(await isProcessAlive(child)).toBe(false);
    expect(await isProcessAlive(leader)).toBe(false);
    await expect(fs.access(path.join(local.stateDirectory, 'machines', 'group', 'm0'))).rejects.toThrow();
  });

  it('stays Running while a background child of the user data lives after the shell has exited', async () => {
    const ref = { cluster: 'daemon', name: 'm0' };
    await local.provider.machines.createMachine({
      ...ref,
      spec: {},
      userData: 'sleep 300 & echo $! > child.pid',
    });
    const childPidFile = path.join(local.stateDirectory, 'machines', 'daemon', 'm0', 'work', 'child.pid');
    await waitFor(async () => (await fs.readFile(childPidFile, 'utf8').catch(() => '')).trim() !== '');
    const child = Number(await fs.readFile(childPidFile, 'utf8'));
    const leader = await pidOf('daemon', 'm0');
    expect(await waitFor(async () => !(await isProcessAlive(leader)))).toBe(true);
    expect(await isProcessAlive(child)).toBe(true);
    expect((await local.provider.machines.getMachine(ref)).phase).toBe('Running');
    await local.provider.machines.deleteMachine(ref);
    expect(await isProcessAlive(child)).toBe(false);
    expect(await countMachineProcessGroups('daemon')).toBe(0);
  });

  it('sends SIGKILL after the grace period to a group that ignores SIGTERM', async () => {
    await local.provider.machines.createMachine({
      cluster: 'stubborn',
      name: 'm0',
      spec: {},
      userData: "trap '' TERM; echo ready; while :; do sleep 1; done",
    });
    const log = path.join(local.stateDirectory, 'machines', 'stubborn', 'm0', 'machine.log');
    await waitFor(async () => (await fs.readFile(log, 'utf8')).includes('ready'));
    const leader = await pidOf('stubborn', 'm0');
    await local.provider.machines.deleteMachine({ cluster: 'stubborn', name: 'm0' });
    expect(await isProcessAlive(leader)).toBe(false);
  });

  it('guards against PID reuse: a recorded pid now owned by another process is Terminated and never signalled', async () => {
    await local.provider.machines.createMachine({
      cluster: 'reuse',
      name: 'm0',
      spec: {},
      userData: 'exec sleep 60',
    });
    const file = machineJson('reuse', 'm0');
    const record = JSON.parse(await fs.readFile(file, 'utf8'));
    await local.provider.machines.deleteMachine({ cluster: 'reuse', name: 'm0' });
    // Pretend the machine's pid was reused by this test runner itself (alive, other start time).
    await local.provider.machines.createMachine({
      cluster: 'reuse',
      name: 'm1',
      spec: {},
      userData: 'exit 0',
    });
    const reused = { ...record, name: 'm1', pid: process.pid };
    await fs.writeFile(machineJson('reuse', 'm1'), JSON.stringify(reused));
    const machine = await local.provider.machines.getMachine({ cluster: 'reuse', name: 'm1' });
    expect(machine.phase).toBe('Terminated');
    await local.provider.machines.deleteMachine({ cluster: 'reuse', name: 'm1' });
    expect(await isProcessAlive(process.pid)).toBe(true);
  });

  it('never runs two processes for a machine whose creator died before recording the pid', async () => {
    const ref = { cluster: 'crashed', name: 'm0' };
    const file = machineJson(ref.cluster, ref.name);
    const id = 'm-0123456789abcdef';
    await fs.mkdir(path.dirname(file), { recursive: true });
    const record = {
      version: 'v1',
      id,
      ...ref,
      machineType: 'local',
      tags: {},
      createdAt: new Date().toISOString(),
    };
    await fs.writeFile(file, JSON.stringify(record));
    // What the dead creator had started already.
    const orphan = spawn('/bin/sh', ['-c', 'exec sleep 300'], {
      detached: true,
      stdio: 'ignore',
      env: { TRELLIS_MACHINE_ID: id, TRELLIS_CLUSTER: ref.cluster, TRELLIS_MACHINE_NAME: ref.name },
    });
    orphan.unref();
    await waitFor(async () => (await countMachineProcessGroups(ref.cluster, ref.name)) === 1);
    // No creator recorded (a record of an older version): Pending, as before.
    expect((await local.provider.machines.getMachine(ref)).phase).toBe('Pending');
    // Its creator alive (this process, by pid and start time): still being created.
    const ownStat = await fs.readFile('/proc/self/stat', 'utf8');
    const startTime = ownStat.slice(ownStat.lastIndexOf(')') + 2).split(' ')[19];
    await fs.writeFile(file, JSON.stringify({ ...record, creator: { pid: process.pid, startTime } }));
    expect((await local.provider.machines.getMachine(ref)).phase).toBe('Pending');
    // Its creator gone (the pid now names a process that started at another time): the create was
    // interrupted and will never finish, so the machine is Terminated and a controller replaces it.
    await fs.writeFile(file, JSON.stringify({ ...record, creator: { pid: process.pid, startTime: '1' } }));
    expect((await local.provider.machines.getMachine(ref)).phase).toBe('Terminated');
    const machine = await local.provider.machines.createMachine({ ...ref, spec: {} });
    expect(machine.phase).toBe('Running');
    expect(await isProcessAlive(orphan.pid as number)).toBe(false);
    expect(await countMachineProcessGroups(ref.cluster, ref.name)).toBe(1);
    await local.provider.machines.deleteMachine(ref);
    expect(await countMachineProcessGroups(ref.cluster, ref.name)).toBe(0);
  });

  it('reports a corrupt state file with its path and leaves it untouched', async () => {
    const file = machineJson('corrupt', 'm0');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"version": "v1", "pid": ');
    const ref = { cluster: 'corrupt', name: 'm0' };
    for (const call of [
      () => local.provider.machines.getMachine(ref),
      () => local.provider.machines.createMachine({ ...ref, spec: {} }),
      () => local.provider.machines.deleteMachine(ref),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain('not valid JSON');
    }
    await fs.writeFile(file, '{"version": "v2"}');
    await expect(local.provider.machines.getMachine(ref)).rejects.toThrow(/unexpected content/);
    expect(await fs.readFile(file, 'utf8')).toBe('{"version": "v2"}');
  });

  it('reports every invalid field with its path before anything is created', async () => {
    const error = await local.provider.machines
      .createMachine({
        cluster: 'Bad_Cluster',
        name: 'x'.repeat(64),
        spec: { environment: { '1X': 'y' }, extra: 1 } as never,
      })
      .catch((caught: unknown) => caught as TrellisError);
    expect(error).toMatchObject({ code: 'InvalidArgument' });
    expect((error as TrellisError).issues.map((issue) => issue.path).sort()).toEqual(
      ['cluster', 'name', 'spec', 'spec.environment.1X'].sort(),
    );
    await expect(fs.access(path.join(local.stateDirectory, 'machines', 'Bad_Cluster'))).rejects.toThrow();
  });

  it('refuses user data over its documented limit before anything is written', async () => {
    const error = await local.provider.machines
      .createMachine({
        cluster: 'big',
        name: 'm0',
        spec: {},
        userData: 'x'.repeat(LOCAL_MAX_USER_DATA_BYTES + 1),
      })
      .catch((caught: unknown) => caught as TrellisError);
    expect(error).toMatchObject({ code: 'InvalidArgument' });
    expect((error as TrellisError).issues).toEqual([
      {
        path: 'userData',
        message: `must be at most 65536 bytes (64 KiB), got ${LOCAL_MAX_USER_DATA_BYTES + 1}`,
      },
    ]);
    await expect(fs.access(path.join(local.stateDirectory, 'machines', 'big'))).rejects.toThrow();
    const atLimit = await local.provider.machines.createMachine({
      cluster: 'big',
      name: 'm1',
      spec: {},
      userData: `exec sleep 60 #${'x'.repeat(LOCAL_MAX_USER_DATA_BYTES - 16)}`,
    });
    expect(atLimit.phase).toBe('Running');
    await local.provider.machines.deleteMachine({ cluster: 'big', name: 'm1' });
  });
});
