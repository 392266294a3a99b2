import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Machine } from '@trellis/core';
import { createLocalProvider } from '@trellis/provider-local';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLASS_TAG,
  type MachinePool,
  machineClassHash,
  POOL_TAG,
  reconcileMachinePool,
  startPoolController,
} from '../src/index.js';

type LocalSpec = Parameters<ReturnType<typeof createLocalProvider>['machines']['createMachine']>[0]['spec'];

let directory: string;
let local: ReturnType<typeof createLocalProvider>;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'trellis-controller-'));
  local = createLocalProvider({ stateDirectory: directory });
});
afterEach(async () => {
  for await (const machine of local.machines.listMachines({ cluster: 'pools', includeTerminated: true })) {
    await local.machines.deleteMachine(machine);
  }
  await rm(directory, { recursive: true, force: true });
});

const pool = (
  replicas: number,
  userData = 'exec sleep 300',
  extra: Partial<MachinePool<LocalSpec>> = {},
): MachinePool<LocalSpec> => ({
  name: 'workers',
  cluster: 'pools',
  replicas,
  machineClass: { machineType: 'local-small' },
  userData,
  ...extra,
});

async function machines(): Promise<Machine[]> {
  const found: Machine[] = [];
  for await (const machine of local.machines.listMachines({ cluster: 'pools', includeTerminated: true }))
    found.push(machine);
  return found.sort((first, second) => first.name.localeCompare(second.name));
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('not converged in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('reconcileMachinePool', () => {
  it('creates the slots of the class, tagged with the pool and the class hash, and is idempotent', async () => {
    const first = await reconcileMachinePool(local.machines, pool(3));
    expect(first.machines.map((machine) => machine.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^workers-[0-9a-f]{6}-0$/)]),
    );
    const found = await machines();
    expect(found).toHaveLength(3);
    for (const machine of found)
      expect(machine.tags).toMatchObject({ [POOL_TAG]: 'workers', [CLASS_TAG]: expect.any(String) });
    const again = await reconcileMachinePool(local.machines, pool(3));
    expect(again).toMatchObject({ ready: 3, pending: 0, outdated: 0, converged: true });
    expect((await machines()).map((machine) => machine.providerId)).toEqual(
      found.map((machine) => machine.providerId),
    );
  });

  it('rolls to a new class one surge machine at a time without going below replicas', async () => {
    await reconcileMachinePool(local.machines, pool(2));
    const next = pool(2, 'exec sleep 301');
    let status = await reconcileMachinePool(local.machines, next);
    const seen: number[] = [];
    for (let round = 0; round < 10 && !status.converged; round++) {
      const running = (await machines()).filter((machine) => machine.phase === 'Running');
      seen.push(running.length);
      expect(running.length).toBeGreaterThanOrEqual(2);
      expect(
        (await machines()).filter((machine) => machine.phase !== 'Terminated').length,
      ).toBeLessThanOrEqual(3);
      status = await reconcileMachinePool(local.machines, next);
    }
    expect(status).toMatchObject({ converged: true, ready: 2, outdated: 0 });
    expect(new Set((await machines()).map((machine) => machine.tags[CLASS_TAG])).size).toBe(1);
  });

  it('replaces a machine the provider reports terminated, and scales down to fewer replicas', async () => {
    // The first machine to boot finds the marker and exits: the local provider reports it Terminated.
    const marker = join(directory, 'die-once');
    await writeFile(marker, '');
    const script = `if rm '${marker}' 2>/dev/null; then exit 1; fi\nexec sleep 300\n`;
    await reconcileMachinePool(local.machines, pool(2, script));
    await until(async () => (await machines()).some((machine) => machine.phase === 'Terminated'));
    const replaced = await reconcileMachinePool(local.machines, pool(2, script));
    expect(replaced.failed).toBe(1);
    await until(async () => (await reconcileMachinePool(local.machines, pool(2, script))).converged);
    expect((await machines()).map((machine) => machine.phase)).toEqual(['Running', 'Running']);
    const down = await reconcileMachinePool(local.machines, pool(1, script));
    expect(down).toMatchObject({ ready: 1, converged: true });
    expect(await machines()).toHaveLength(1);
  });

  it('rejects an invalid pool with field paths before any call', async () => {
    const error = (await reconcileMachinePool(
      local.machines,
      pool(-1, undefined, { name: 'Bad_Name', maxSurge: 0 }),
    ).catch((caught: unknown) => caught)) as { code: string; issues: Array<{ path: string }> };
    expect(error.code).toBe('InvalidArgument');
    expect(error.issues.map((issue) => issue.path)).toEqual(['name', 'replicas', 'maxSurge']);
  });
});

describe('startPoolController', () => {
  it('converges pools from setPools, rolls a class change, counts what it did, and stops cleanly', async () => {
    const controller = startPoolController({ provider: local.machines, progressMs: 20, backoffMs: 10 });
    try {
      controller.setPools([pool(2)]);
      await until(async () => controller.status().get('pools/workers')?.converged === true);
      const next = pool(2, 'exec sleep 302');
      const hash = machineClassHash(next).slice(0, 6);
      controller.setPools([next]);
      await until(async () => {
        const status = controller.status().get('pools/workers');
        return status?.converged === true && status.machines.every((machine) => machine.name.includes(hash));
      });
      expect((await machines()).filter((machine) => machine.phase === 'Running')).toHaveLength(2);
      const metrics = controller.metrics.snapshot();
      expect(metrics.counters.trellis_reconciles_total).toBeGreaterThanOrEqual(2);
      expect(metrics.counters['trellis_api_calls_total{action="createMachine"}']).toBe(4);
      expect(metrics.histograms.trellis_reconcile_seconds?.count).toBe(
        metrics.counters.trellis_reconciles_total,
      );
      expect(controller.metrics.toPrometheus()).toMatch(
        /^trellis_reconcile_seconds_bucket\{le="\+Inf"\} \d+$/m,
      );
    } finally {
      await controller.stop(1000);
    }
  });

  it('collects orphans on a schedule: machines of the cluster no current pool accounts for', async () => {
    const stray = await local.machines.createMachine({
      cluster: 'pools',
      name: 'stray',
      spec: { machineType: 'local-small' },
      userData: 'exec sleep 300',
    });
    const controller = startPoolController({
      provider: local.machines,
      progressMs: 20,
      orphanCollection: { intervalMs: 50, minAgeMs: 0 },
    });
    try {
      controller.setPools([pool(1)]);
      await until(async () => {
        const names = (await machines()).map((machine) => machine.name);
        return !names.includes(stray.name) && controller.status().get('pools/workers')?.converged === true;
      });
      expect((await machines()).map((machine) => machine.tags[POOL_TAG])).toEqual(['workers']);
      expect(controller.metrics.counter('trellis_orphans_deleted_total', { reason: 'unaccounted' })).toBe(1);
      // A machine younger than the minimum age is listed and kept.
      const young = await local.machines.createMachine({
        cluster: 'pools',
        name: 'young',
        spec: { machineType: 'local-small' },
        userData: 'exec sleep 300',
      });
      const listed = await controller.collectOrphans({ minAgeMs: 60_000 });
      expect(listed.map((orphan) => [orphan.machine.name, orphan.tooYoung])).toEqual([[young.name, true]]);
    } finally {
      await controller.stop(1000);
    }
  });
});
