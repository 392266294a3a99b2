import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { createStateEmitter, InfrastructureStateBook } from './infrastructure-state-book.js';
import { type GraphStep, reverseStepGraph, runStepGraph, type StepGraphReport } from './step-graph.js';

const retryOnce = { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 };

function graph(log: string[], failing: Record<string, () => unknown> = {}) {
  const step = (name: string, dependsOn: string[] = []): GraphStep => ({
    name,
    dependsOn,
    run: async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setImmediate(resolve));
      const error = failing[name]?.();
      if (error) throw error;
      log.push(`end ${name}`);
    },
  });
  return [
    step('vpc'),
    step('subnet/a', ['vpc']),
    step('subnet/b', ['vpc']),
    step('nat', ['subnet/a', 'subnet/b']),
  ];
}

describe('runStepGraph', () => {
  it('runs independent steps in parallel after their dependencies, saving after each', async () => {
    const log: string[] = [];
    const saved: string[] = [];
    const report = await runStepGraph(graph(log), {
      provider: 'test',
      retry: retryOnce,
      onStepDone: (name) => {
        saved.push(name);
      },
    });
    expect(log.slice(0, 4)).toEqual(['start vpc', 'end vpc', 'start subnet/a', 'start subnet/b']);
    expect(log.at(-1)).toBe('end nat');
    expect(saved).toEqual(['vpc', 'subnet/a', 'subnet/b', 'nat']);
    expect(report).toEqual({ completed: saved, failed: [], skipped: [] });
  });

  it('retries a retryable step, then reports what ran, failed and was skipped', async () => {
    const log: string[] = [];
    let report: StepGraphReport | undefined;
    const throttled = new TrellisError({ code: 'Throttled', message: 'slow' });
    const denied = new TrellisError({ code: 'PermissionDenied', message: 'no' });
    let calls = 0;
    const error = await runStepGraph(
      graph(log, { 'subnet/a': () => (++calls === 1 ? throttled : undefined), 'subnet/b': () => denied }),
      { provider: 'test', retry: retryOnce, onReport: (value) => (report = value) },
    ).catch((caught: unknown) => caught);
    expect(error).toBe(denied);
    expect(log.filter((line) => line === 'start subnet/a')).toHaveLength(2);
    expect(report).toEqual({
      completed: ['vpc', 'subnet/a'],
      failed: [{ step: 'subnet/b', error: denied }],
      skipped: ['nat'],
    });
  });

  it('starts nothing new after an abort and says Canceled', async () => {
    const controller = new AbortController();
    const steps: GraphStep[] = [
      { name: 'a', dependsOn: [], run: async () => controller.abort() },
      { name: 'b', dependsOn: ['a'], run: async () => expect.unreachable('b must not start') },
    ];
    const error = await runStepGraph(steps, {
      provider: 'test',
      retry: retryOnce,
      signal: controller.signal,
    }).catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Canceled')).toBe(true);
  });

  it('backs off on the injected clock between attempts', async () => {
    const clock = new ManualClock();
    let attempts = 0;
    const running = runStepGraph(
      [
        {
          name: 'flaky',
          dependsOn: [],
          run: async () => {
            attempts += 1;
            if (attempts < 3) throw new TrellisError({ code: 'Unavailable', message: '503' });
          },
        },
      ],
      { provider: 'test', retry: { attempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, clock },
    );
    await clock.advance(4000);
    expect(attempts).toBe(1);
    await clock.runAll();
    await expect(running).resolves.toMatchObject({ completed: ['flaky'] });
    expect(attempts).toBe(3);
  });

  it('rejects unknown dependencies, duplicates and cycles before running anything', async () => {
    const run = async () => expect.unreachable('nothing runs');
    await expect(
      runStepGraph([{ name: 'a', dependsOn: ['x'], run }], { provider: 't', retry: retryOnce }),
    ).rejects.toThrow(/unknown step x/);
    await expect(
      runStepGraph(
        [
          { name: 'a', dependsOn: ['b'], run },
          { name: 'b', dependsOn: ['a'], run },
        ],
        { provider: 't', retry: retryOnce },
      ),
    ).rejects.toThrow(/cycle/);
  });

  it('deletes in reverse dependency order', async () => {
    const log: string[] = [];
    const deletes = reverseStepGraph(graph([]), (step) => async () => {
      log.push(step.name);
    });
    await runStepGraph(deletes, { provider: 'test', operation: 'delete', retry: retryOnce });
    expect(log[0]).toBe('nat');
    expect(log.slice(1, 3).sort()).toEqual(['subnet/a', 'subnet/b']);
    expect(log[3]).toBe('vpc');
  });
});

describe('InfrastructureStateBook', () => {
  it('keeps write-ahead marks until the id is recorded, in stable JSON', async () => {
    const book = new InfrastructureStateBook('gcp');
    book.markPending('network', { kind: 'network', name: 'shoot-a', clientToken: 'tok-1' });
    expect(book.id('network')).toBeUndefined();
    expect(book.pending()).toEqual([
      [
        'network',
        { id: '', kind: 'network', attributes: { pending: true, clientToken: 'tok-1', name: 'shoot-a' } },
      ],
    ]);
    const resumed = new InfrastructureStateBook('gcp', book.snapshot());
    expect(resumed.pending()).toHaveLength(1);
    resumed.set('network', { id: 'projects/p/global/networks/shoot-a', kind: 'network' });
    resumed.markPending('network', { kind: 'network' });
    expect(resumed.pending()).toEqual([]);
    expect(resumed.id('network')).toBe('projects/p/global/networks/shoot-a');
    expect(() => new InfrastructureStateBook('aws', resumed.snapshot())).toThrow(/provider "gcp"/);
  });

  it('emits states to the caller one at a time, in order', async () => {
    const book = new InfrastructureStateBook('aws');
    const seen: string[] = [];
    const emit = createStateEmitter(
      {
        onState: async (state) => {
          await new Promise((resolve) =>
            setTimeout(resolve, Object.keys(state.resources).length === 1 ? 5 : 0),
          );
          seen.push(Object.keys(state.resources).join(','));
        },
      },
      () => book.snapshot(),
    );
    book.set('vpc', { id: 'vpc-1', kind: 'vpc' });
    const first = emit();
    book.set('subnet', { id: 'subnet-1', kind: 'subnet' });
    await Promise.all([first, emit()]);
    expect(seen).toEqual(['vpc', 'subnet,vpc']);
  });
});
