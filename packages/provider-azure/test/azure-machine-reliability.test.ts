import { TrellisError } from '@trellis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAzureMachineProvider } from '../src/index.js';
import type { ArmFake } from '../src/testing/index.js';
import { contextFor, countVms, machineClass, startFakeWithNetwork } from './azure-machine-harness.js';

let fake: ArmFake;
beforeEach(async () => {
  fake = await startFakeWithNetwork();
});
afterEach(() => fake.close());

/** What the fake holds of a cluster's machines: VMs, NICs and disks, by name. */
const leftovers = (group: string) =>
  fake
    .resources()
    .filter((resource) => resource.id.toLowerCase().includes(`/resourcegroups/${group}/`))
    .map((resource) => `${resource.type.split('/').at(-1)}/${resource.name}`)
    .sort();

describe('Azure machines: capacity failures, lost responses, leftovers', () => {
  it('a VM create failing for capacity leaves no VM, NIC or disk, and says ResourceExhausted', async () => {
    const provider = createAzureMachineProvider(contextFor(fake));
    const spec = machineClass('capacity', {
      storageProfile: {
        ...machineClass().properties.storageProfile,
        dataDisks: [{ lun: 0, name: 'etcd', diskSizeGB: 20, storageAccountType: 'Premium_LRS' }],
      },
    });
    fake.failNextVmCreate({
      code: 'ZonalAllocationFailed',
      message:
        'Allocation failed. We do not have sufficient capacity for the requested VM size in this zone.',
    });
    const error = await provider
      .createMachine({ cluster: 'capacity', name: 'worker-0', spec })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'ResourceExhausted')).toBe(true);
    expect((error as Error).message).toMatch(/ZonalAllocationFailed/);
    expect(leftovers('capacity')).toEqual([]);
    // And the next try makes it, with its data disk named as MCM names it.
    await provider.createMachine({ cluster: 'capacity', name: 'worker-0', spec });
    expect(leftovers('capacity')).toEqual([
      'disks/worker-0-etcd-0-data-disk',
      'disks/worker-0-os-disk',
      'networkInterfaces/worker-0-nic',
      'virtualMachines/worker-0',
    ]);
    await provider.deleteMachine({ cluster: 'capacity', name: 'worker-0' });
    expect(leftovers('capacity')).toEqual([]);
  });

  it('lost responses on every create call never make two VMs for one machine (200 creates)', async () => {
    for (const action of [
      'virtualMachines.createOrUpdate',
      'networkInterfaces.createOrUpdate',
      'operations.get',
    ]) {
      fake.faults.add({ kind: 'lost-response', actions: [action], rate: 0.3 });
    }
    const provider = createAzureMachineProvider(contextFor(fake, 20));
    const spec = machineClass('lost');
    const names = Array.from({ length: 40 }, (_, index) => `worker-${index}`);
    // 200 creates: every machine five times, concurrently.
    const created = await Promise.all(
      [0, 1, 2, 3, 4].flatMap(() =>
        names.map((name) => provider.createMachine({ cluster: 'lost', name, spec })),
      ),
    );
    expect(new Set(created.map((machine) => machine.providerId)).size).toBe(40);
    expect(countVms(fake, 'lost')).toBe(40);
    expect(fake.calls.entries.filter((entry) => entry.fault === 'lost-response').length).toBeGreaterThan(10);
    for (const name of names) expect(countVms(fake, 'lost', name)).toBe(1);
  });

  it('a machine whose VM is gone but whose NIC and OS disk remain is Terminated, and delete cleans it', async () => {
    const provider = createAzureMachineProvider(contextFor(fake));
    const spec = machineClass('orphans');
    await provider.createMachine({ cluster: 'orphans', name: 'worker-0', spec });
    // Someone deletes the VM alone, after switching its NIC and disk to `Detach` (as a portal user can).
    const { computeClient } = await import('../src/azure-arm-clients.js');
    const compute = computeClient(contextFor(fake));
    const vm = await compute.virtualMachines.get('orphans', 'worker-0');
    const nicId = vm.networkProfile!.networkInterfaces![0]!.id!;
    await compute.virtualMachines.createOrUpdate(
      'orphans',
      'worker-0',
      {
        ...vm,
        networkProfile: { networkInterfaces: [{ id: nicId, deleteOption: 'Detach' }] },
        storageProfile: {
          ...vm.storageProfile,
          osDisk: { ...vm.storageProfile!.osDisk!, deleteOption: 'Detach' },
        },
      },
      { updateIntervalInMs: 1 },
    );
    await compute.virtualMachines.delete('orphans', 'worker-0', { updateIntervalInMs: 1 });
    expect(leftovers('orphans')).toEqual(['disks/worker-0-os-disk', 'networkInterfaces/worker-0-nic']);

    const machine = await provider.getMachine({ cluster: 'orphans', name: 'worker-0' });
    expect(machine.phase).toBe('Terminated');
    const listed = [];
    for await (const found of provider.listMachines({ cluster: 'orphans', includeTerminated: true }))
      listed.push(found.name);
    expect(listed).toEqual(['worker-0']);
    await provider.deleteMachine({ cluster: 'orphans', name: 'worker-0' });
    expect(leftovers('orphans')).toEqual([]);
    await expect(provider.getMachine({ cluster: 'orphans', name: 'worker-0' })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });

  it('a create interrupted after its NIC leaves nothing once deleted', async () => {
    const provider = createAzureMachineProvider(contextFor(fake, 1));
    fake.faults.add({ kind: 'server-error', actions: ['virtualMachines.createOrUpdate'], status: 500 });
    const error = await provider
      .createMachine({ cluster: 'half', name: 'worker-0', spec: machineClass('half') })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Unavailable')).toBe(true);
    expect(leftovers('half')).toEqual(['networkInterfaces/worker-0-nic']);
    fake.faults.clear();
    await provider.deleteMachine({ cluster: 'half', name: 'worker-0' });
    expect(leftovers('half')).toEqual([]);
  });

  it('refuses a VM of the same name that is not the cluster’s', async () => {
    const provider = createAzureMachineProvider(contextFor(fake));
    await provider.createMachine({ cluster: 'owner', name: 'worker-0', spec: machineClass('owner') });
    // The same resource group, another cluster's settings: the VM is there but not this cluster's.
    const other = createAzureMachineProvider({ ...contextFor(fake), resourceGroupOf: () => 'owner' });
    const error = await other
      .createMachine({ cluster: 'intruder', name: 'worker-0', spec: machineClass('intruder') })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'AlreadyExists')).toBe(true);
    await other.deleteMachine({ cluster: 'intruder', name: 'worker-0' });
    expect(countVms(fake, 'owner', 'worker-0')).toBe(1);
  });
});
