import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { liveVms, REGION, useMachineFake } from './aws-machine-harness.js';

const cloud = useMachineFake();

describe('AWS machines: reliability against the fake', () => {
  it('never makes a duplicate VM when RunInstances responses are lost', async () => {
    // Generous buckets: this test is about idempotency, not pacing.
    const machines = cloud.machines({ rateLimits: { mutating: { capacity: 1000, refillPerSecond: 100 } } });
    const cluster = 'lost-responses';
    const removeFault = cloud.fake.faults.add({
      kind: 'lost-response',
      actions: ['RunInstances'],
      rate: 0.25,
    });
    try {
      const names = Array.from({ length: 200 }, (_, index) => `worker-${index}`);
      const created = await Promise.all(
        names.map((name) => machines.createMachine({ cluster, name, spec: cloud.spec })),
      );
      expect(new Set(created.map((machine) => machine.providerId)).size).toBe(200);
      const lost = cloud.fake.calls.entries.filter(
        (entry) => entry.action === 'RunInstances' && entry.fault === 'lost-response',
      );
      expect(lost.length).toBeGreaterThan(20);
      expect(liveVms(cloud.fake, cluster)).toBe(200);
      for (const name of names) expect(liveVms(cloud.fake, cluster, name)).toBe(1);
    } finally {
      removeFault();
    }
  });

  it('reads 1000 machines concurrently with at most 2 DescribeInstances calls', async () => {
    const machines = cloud.machines({ rateLimits: { mutating: { capacity: 2000, refillPerSecond: 1000 } } });
    const cluster = 'batched-reads';
    const names = Array.from({ length: 1000 }, (_, index) => `worker-${index}`);
    const created = await Promise.all(
      names.map((name) => machines.createMachine({ cluster, name, spec: cloud.spec })),
    );
    const reader = cloud.machines();
    const before = cloud.fake.calls.count('DescribeInstances');
    const read = await Promise.all(created.map((machine) => reader.getMachine(machine)));
    expect(cloud.fake.calls.count('DescribeInstances') - before).toBeLessThanOrEqual(2);
    expect(read.map((machine) => machine.providerId)).toEqual(created.map((machine) => machine.providerId));
    expect(read.every((machine) => machine.name.startsWith('worker-'))).toBe(true);
  });

  it('answers a batch in which one machine is gone: that one NotFound, the others found', async () => {
    const machines = cloud.machines();
    const cluster = 'batch-with-missing';
    const created = await Promise.all(
      ['worker-0', 'worker-1', 'worker-2'].map((name) =>
        machines.createMachine({ cluster, name, spec: cloud.spec }),
      ),
    );
    const ghost = { cluster, name: 'ghost', providerId: `aws:///${REGION}a/i-0123456789abcdef0` };
    const before = cloud.fake.calls.count('DescribeInstances');
    const results = await Promise.allSettled([...created, ghost].map((ref) => machines.getMachine(ref)));
    expect(results.slice(0, 3).map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const missing = results[3] as PromiseRejectedResult;
    expect(TrellisError.hasCode(missing.reason, 'NotFound')).toBe(true);
    expect(cloud.fake.calls.count('DescribeInstances') - before).toBeLessThanOrEqual(2);
  });

  it('re-creates a deleted machine as a new VM each time although its earlier client tokens are used', async () => {
    const machines = cloud.machines();
    const cluster = 'recreate';
    const seen = new Set<string>();
    for (let life = 0; life < 4; life++) {
      const machine = await machines.createMachine({ cluster, name: 'worker-0', spec: cloud.spec });
      expect(machine.phase === 'Pending' || machine.phase === 'Running').toBe(true);
      expect(seen.has(machine.providerId)).toBe(false);
      seen.add(machine.providerId);
      expect(liveVms(cloud.fake, cluster, 'worker-0')).toBe(1);
      await machines.deleteMachine(machine);
    }
    expect(liveVms(cloud.fake, cluster)).toBe(0);
  });
});
