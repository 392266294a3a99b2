import { TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcpMachineProvider } from '../src/index.js';
import { type GceFake, startGceFake } from '../src/testing/index.js';
import { contextFor, machineClass } from './gcp-machine-harness.js';

describe('GCP machines: lost responses, adoption and errors (against the fake)', () => {
  let fake: GceFake;
  let context: ReturnType<typeof contextFor>;
  beforeAll(async () => {
    fake = await startGceFake({ operationPolls: 1 });
    context = contextFor(fake);
  });
  afterAll(async () => {
    await context?.clients.close();
    await fake?.close();
  });

  it('200 creates whose insert responses are often lost never make a second VM', async () => {
    const cluster = 'lost';
    const machines = createGcpMachineProvider(context);
    const remove = fake.faults.add({
      kind: 'lost-response',
      actions: ['compute.instances.insert'],
      rate: 0.3,
    });
    const names = Array.from({ length: 200 }, (_, index) => `worker-${index}`);
    let outcomes: PromiseSettledResult<{ providerId: string }>[];
    try {
      outcomes = await Promise.allSettled(
        names.map((name) => machines.createMachine({ cluster, name, spec: machineClass(cluster) })),
      );
    } finally {
      remove();
    }
    // A create may give up (its retries or the shared retry budget spent); asked again, it returns the VM.
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') {
        expect(TrellisError.isInstance(outcome.reason)).toBe(true);
        await machines.createMachine({ cluster, name: names[index]!, spec: machineClass(cluster) });
      }
    }
    expect(fake.calls.entries.filter((entry) => entry.fault === 'lost-response').length).toBeGreaterThan(30);
    const inFake = fake.instances().filter((instance) => instance.labels?.['k8s-cluster-name'] === cluster);
    expect(inFake.map((instance) => instance.name).sort()).toEqual([...names].sort());
    // Creating again returns the same VMs.
    const again = await machines.createMachine({ cluster, name: 'worker-7', spec: machineClass(cluster) });
    expect(again.providerId).toBe(`gce:///trellis-test/europe-west1-b/worker-7`);
    expect(again.nodeProviderId).toBe('gce://trellis-test/europe-west1-b/worker-7');
    await Promise.all(names.map((name) => machines.deleteMachine({ cluster, name })));
    expect(fake.instances().filter((instance) => instance.labels?.['k8s-cluster-name'] === cluster)).toEqual(
      [],
    );
  }, 120_000);

  it('adopts a VM another process created for the machine, and refuses one of another cluster', async () => {
    const first = createGcpMachineProvider(contextFor(fake));
    const created = await first.createMachine({
      cluster: 'adopt',
      name: 'pool-a-0',
      spec: machineClass('adopt'),
    });
    const second = createGcpMachineProvider(contextFor(fake));
    const adopted = await second.createMachine({
      cluster: 'adopt',
      name: 'pool-a-0',
      spec: machineClass('adopt'),
    });
    expect(adopted.providerId).toBe(created.providerId);
    const error = await second
      .createMachine({ cluster: 'other', name: 'pool-a-0', spec: machineClass('other') })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'AlreadyExists')).toBe(true);
    expect((error as Error).message).toContain("not cluster other's");
    expect(fake.instances().filter((instance) => instance.name === 'pool-a-0')).toHaveLength(1);
    await first.deleteMachine({ cluster: 'adopt', name: 'pool-a-0' });
  });

  it('maps a failed operation (quota, zone capacity) to ResourceExhausted and leaves no VM', async () => {
    const machines = createGcpMachineProvider(context);
    for (const code of ['QUOTA_EXCEEDED', 'ZONE_RESOURCE_POOL_EXHAUSTED']) {
      fake.failNextInsert({ code, message: `${code} in europe-west1-b` });
      const error = await machines
        .createMachine({ cluster: 'quota', name: 'big-0', spec: machineClass('quota') })
        .catch((caught: unknown) => caught);
      expect(TrellisError.hasCode(error, 'ResourceExhausted'), code).toBe(true);
      expect((error as Error).message).toContain(code);
    }
    expect(fake.instances().filter((instance) => instance.name === 'big-0')).toEqual([]);
  });

  it('reports labels, network tags, addresses and the machine type as a user sees them', async () => {
    const machines = createGcpMachineProvider(context);
    const spec = machineClass('shape', {
      labels: { 'Team.Name': 'Blue' },
      networkInterfaces: [{ subnetwork: 'shape-nodes', disableExternalIP: false }],
    });
    const machine = await machines.createMachine({
      cluster: 'shape',
      name: 'w-0',
      spec,
      userData: '#cloud-config\n',
    });
    expect(machine).toMatchObject({ phase: 'Running', machineType: 'n2-standard-2', zone: 'europe-west1-b' });
    expect(machine.tags).toMatchObject({
      Name: 'w-0',
      'kubernetes.io/cluster/shape': '1',
      'kubernetes.io/role/node': '1',
      team_name: 'blue',
    });
    expect(machine.addresses.map((address) => address.type).sort()).toEqual([
      'ExternalIP',
      'Hostname',
      'InternalIP',
    ]);
    const instance = fake.instances().find((candidate) => candidate.name === 'w-0')!;
    expect(instance.tags?.items).toEqual(['kubernetes-io-cluster-shape', 'kubernetes-io-role-node']);
    expect((instance.metadata as { items: Array<{ key: string; value: string }> }).items).toContainEqual({
      key: 'user-data',
      value: '#cloud-config\n',
    });
    await machines.deleteMachine({ cluster: 'shape', name: 'w-0', providerId: machine.providerId });
  });
});
