import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEASE_RESOURCE, MACHINE_POOL_RESOURCE, startFakeKubernetes } from '@trellis/controller/testing';
import type { Machine } from '@trellis/core';
import { createLocalProvider } from '@trellis/provider-local';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { machinePoolCrd } from '../src/crd.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the machine-pool controller example', () => {
  it('ships the MachinePool CRD generated from the local provider machine class schema', async () => {
    expect(await readFile(join(root, 'deploy', 'machinepool-crd.local.yaml'), 'utf8')).toBe(
      stringify(await machinePoolCrd('local'), { aliasDuplicateObjects: false }),
    );
  });

  it('keeps the pools of the watched file, follows an edit, and stops cleanly on SIGTERM', async () => {
    const work = await mkdtemp(join(tmpdir(), 'trellis-pool-example-'));
    const stateDirectory = join(work, 'state');
    const file = join(work, 'pools.yaml');
    const write = (replicas: number) =>
      writeFile(
        file,
        stringify({
          pools: [
            {
              name: 'web',
              cluster: 'example',
              replicas,
              machineClass: { machineType: 'local-small' },
              userData: 'exec sleep 300',
            },
          ],
        }),
      );
    await write(2);
    const local = createLocalProvider({ stateDirectory });
    const running = async () => {
      const machines: Machine[] = [];
      for await (const machine of local.machines.listMachines({ cluster: 'example' })) machines.push(machine);
      return machines.filter((machine) => machine.phase === 'Running').length;
    };
    const until = async (check: () => Promise<boolean>) => {
      const end = Date.now() + 30_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`not in time: ${output.slice(-600)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const child = spawn(process.execPath, [join(root, 'src', 'controller.ts')], {
      cwd: root,
      env: {
        ...process.env,
        TRELLIS_POOLS_FILE: file,
        TRELLIS_STATE_DIRECTORY: stateDirectory,
        TRELLIS_PROGRESS_MS: '100',
        TRELLIS_GRACE_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += `stderr: ${chunk.toString('utf8')}`;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    try {
      await until(async () => (await running()) === 2);
      await write(1);
      await until(async () => (await running()) === 1);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { message: string; metrics?: Record<string, number> });
      expect(lines.some((line) => line.message === 'desired pools')).toBe(true);
      expect(lines.at(-1)?.message).toBe('stopped');
      expect(lines.at(-1)?.metrics?.trellis_reconciles_total).toBeGreaterThan(1);
    } finally {
      child.kill('SIGKILL');
      for await (const machine of local.machines.listMachines({
        cluster: 'example',
        includeTerminated: true,
      }))
        await local.machines.deleteMachine(machine);
      await rm(work, { recursive: true, force: true });
    }
  });

  it('with TRELLIS_POOLS_SOURCE=kubernetes: leads through a Lease, keeps the MachinePools, writes their status, and releases the Lease on SIGTERM', async () => {
    const kubernetes = await startFakeKubernetes();
    const work = await mkdtemp(join(tmpdir(), 'trellis-pool-example-kube-'));
    const stateDirectory = join(work, 'state');
    const kubeconfig = join(work, 'kubeconfig');
    await kubernetes.writeKubeconfig(kubeconfig);
    const local = createLocalProvider({ stateDirectory });
    const pool = (replicas: number) => ({
      apiVersion: 'trellis.dev/v1alpha1',
      kind: 'MachinePool',
      metadata: { name: 'web' },
      spec: {
        provider: 'local',
        cluster: 'example-kube',
        replicas,
        machineClass: { machineType: 'local-small' },
        userData: 'exec sleep 300',
      },
    });
    kubernetes.objects.create(MACHINE_POOL_RESOURCE, 'pools', pool(2) as never);
    let output = '';
    const child = spawn(process.execPath, [join(root, 'src', 'controller.ts')], {
      cwd: root,
      env: {
        ...process.env,
        TRELLIS_POOLS_SOURCE: 'kubernetes',
        KUBECONFIG: kubeconfig,
        POD_NAMESPACE: 'controllers',
        HOSTNAME: 'controller-0',
        TRELLIS_STATE_DIRECTORY: stateDirectory,
        TRELLIS_PROGRESS_MS: '100',
        TRELLIS_GRACE_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += `stderr: ${chunk.toString('utf8')}`;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const until = async (check: () => Promise<boolean> | boolean) => {
      const end = Date.now() + 30_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`not in time: ${output.slice(-600)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const running = async () => {
      let count = 0;
      for await (const machine of local.machines.listMachines({ cluster: 'example-kube' }))
        if (machine.phase === 'Running') count += 1;
      return count;
    };
    const status = () => kubernetes.objects.get(MACHINE_POOL_RESOURCE, 'pools', 'web').status;
    try {
      await until(async () => (await running()) === 2 && status()?.converged === true);
      expect(status()).toMatchObject({ observedGeneration: 1, replicas: 2, ready: 2 });
      expect(
        kubernetes.objects.get(LEASE_RESOURCE, 'controllers', 'trellis-machine-pools-local').spec,
      ).toMatchObject({
        holderIdentity: 'controller-0',
      });
      const current = kubernetes.objects.get(MACHINE_POOL_RESOURCE, 'pools', 'web');
      kubernetes.objects.replace(MACHINE_POOL_RESOURCE, 'pools', 'web', {
        ...current,
        spec: pool(1).spec,
      } as never);
      await until(
        async () =>
          (await running()) === 1 && status()?.observedGeneration === 2 && status()?.converged === true,
      );
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(
        kubernetes.objects.get(LEASE_RESOURCE, 'controllers', 'trellis-machine-pools-local').spec,
      ).toMatchObject({
        holderIdentity: '',
      });
      // deploy/controller.yaml grants every call the controller made.
      const rules = parseAllDocuments(await readFile(join(root, 'deploy', 'controller.yaml'), 'utf8'))
        .map(
          (document) =>
            document.toJS() as {
              kind: string;
              rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
            },
        )
        .filter((document) => document.kind === 'ClusterRole' || document.kind === 'Role')
        .flatMap((document) => document.rules ?? []);
      const actions = [...new Set(kubernetes.calls.entries.map((entry) => entry.action))].sort();
      expect(actions).toEqual(
        expect.arrayContaining([
          'create leases',
          'list machinepools',
          'patch machinepools/status',
          'update leases',
          'watch machinepools',
        ]),
      );
      for (const action of actions) {
        const [verb, resource] = action.split(' ') as [string, string];
        expect(
          rules.some((rule) => rule.resources.includes(resource) && rule.verbs.includes(verb)),
          `${action} is not granted by deploy/controller.yaml`,
        ).toBe(true);
      }
    } finally {
      child.kill('SIGKILL');
      for await (const machine of local.machines.listMachines({
        cluster: 'example-kube',
        includeTerminated: true,
      }))
        await local.machines.deleteMachine(machine);
      await kubernetes.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
