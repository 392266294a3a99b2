import * as $Vpc from '@alicloud/vpc20160428';
import { TrellisError } from '@trellis/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlicloudProviderContext } from '../src/alicloud-settings.js';
import { createAlicloudMachines } from '../src/index.js';
import { teaConfig } from '../src/tea-config.js';
import { type EcsFake, startEcsFake } from '../src/testing/index.js';
import { Vpc } from '../src/vpc-client.js';
import { fakeSettings, REGION, SPEC, vmsOf } from './alicloud-machine-harness.js';

let fake: EcsFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('Alicloud machines, reliability and errors', () => {
  it('never makes a second instance when RunInstances answers are lost (200 creates, 30% lost)', async () => {
    fake = await startEcsFake({ pendingMs: 0 });
    fake.faults.add({ kind: 'lost-response', actions: ['RunInstances'], rate: 0.3 });
    const machines = createAlicloudMachines(fakeSettings(fake, { maxAttempts: 20 }));
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        machines.createMachine({ cluster: 'lossy', name: `m-${index}`, spec: SPEC }),
      ),
    );
    expect(fake.calls.entries.filter((call) => call.fault === 'lost-response').length).toBeGreaterThan(20);
    expect(new Set(created.map((machine) => machine.providerId)).size).toBe(200);
    expect(vmsOf(fake, 'lossy')).toBe(200);
    for (let index = 0; index < 200; index++) expect(vmsOf(fake, 'lossy', `m-${index}`)).toBe(1);
  });

  it('tags at creation, with the request cluster as the only owner, and recreates a deleted machine as a new instance', async () => {
    fake = await startEcsFake({ pendingMs: 0 });
    const machines = createAlicloudMachines(fakeSettings(fake));
    const first = await machines.createMachine({
      cluster: 'c1',
      name: 'w-0',
      spec: SPEC,
      tags: { team: 'a' },
    });
    expect(first.providerId).toMatch(/^eu-central-1\.i-[0-9a-f]{20}$/);
    const [instance] = fake.instances();
    expect(instance?.Tags).toEqual({
      team: 'a',
      'kubernetes.io/role/worker/shoot--p--c': '1',
      Name: 'w-0',
      'kubernetes.io/cluster/c1': '1',
      'kubernetes.io/role/node': '1',
    });
    expect(instance?.DataDisks).toEqual([
      { Category: 'cloud_essd', DeleteWithInstance: 'true', DiskName: 'w-0-data-data-disk', Size: '100' },
    ]);
    await machines.deleteMachine(first);
    expect(fake.instances()).toEqual([]);
    // The same name again: its first client token now names a deleted instance; the next one of the
    // chain makes a new instance.
    const second = await machines.createMachine({ cluster: 'c1', name: 'w-0', spec: SPEC });
    expect(second.providerId).not.toBe(first.providerId);
    expect(vmsOf(fake, 'c1', 'w-0')).toBe(1);
  });

  it('maps the cloud codes: NoStock is ResourceExhausted, a Pending delete waits, a foreign provider id is refused', async () => {
    fake = await startEcsFake({ pendingMs: 600 });
    const machines = createAlicloudMachines(fakeSettings(fake));
    fake.failNext('RunInstances', 'OperationDenied.NoStock');
    const exhausted = await machines
      .createMachine({ cluster: 'c2', name: 'w-0', spec: SPEC })
      .catch((error: unknown) => error as TrellisError);
    expect(TrellisError.isInstance(exhausted) && exhausted.code).toBe('ResourceExhausted');
    expect(fake.instances()).toEqual([]);

    const machine = await machines.createMachine({ cluster: 'c2', name: 'w-0', spec: SPEC });
    expect(machine.phase).toBe('Pending');
    // ECS refuses to delete a Pending instance (403 IncorrectInstanceStatus): the delete waits it out.
    await machines.deleteMachine(machine);
    expect(fake.instances()).toEqual([]);
    expect(
      fake.calls.entries.filter((call) => call.action === 'DeleteInstance' && call.status === 403).length,
    ).toBeGreaterThan(0);

    await expect(
      machines.getMachine({ cluster: 'c2', name: 'w-0', providerId: 'cn-hangzhou.i-abc' }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(machines.getMachine({ cluster: 'c2', name: 'w-0' })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });

  it('refuses bad settings before any call, and says where credentials come from when none are given', async () => {
    expect(() => createAlicloudMachines({ region: 'Europe' })).toThrow(/region/);
    fake = await startEcsFake();
    const saved = {
      id: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
      secret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    };
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    try {
      const machines = createAlicloudMachines({ region: 'eu-central-1', endpoints: { ecs: fake.url } });
      await expect(machines.getMachine({ cluster: 'c', name: 'w' })).rejects.toMatchObject({
        code: 'Unauthenticated',
        message: expect.stringContaining('ALIBABA_CLOUD_ACCESS_KEY_ID'),
      });
      expect(fake.calls.count()).toBe(0);
    } finally {
      if (saved.id !== undefined) process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = saved.id;
      if (saved.secret !== undefined) process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = saved.secret;
    }
  });

  it('reports what ECS keeps after a delete (a data disk kept by its class, a bound EIP) instead of leaking it silently', async () => {
    fake = await startEcsFake({ pendingMs: 0 });
    const warnings: Array<Record<string, unknown>> = [];
    const logger = {
      debug() {},
      info() {},
      warn: (fields: Record<string, unknown>) => void warnings.push(fields),
      error() {},
    };
    const settings = fakeSettings(fake, {
      logger: logger as never,
      endpoints: { ecs: fake.url, vpc: fake.url },
    });
    const machines = createAlicloudMachines(settings);
    const spec = {
      ...SPEC,
      dataDisks: [
        { name: 'keep', category: 'cloud_essd', size: 100, deleteWithInstance: false },
        { name: 'scratch', category: 'cloud_essd', size: 50 },
      ],
    };
    const machine = await machines.createMachine({ cluster: 'c3', name: 'w-0', spec });
    expect(fake.disks()).toHaveLength(3); // the system disk and two data disks
    const { options } = createAlicloudProviderContext(settings).clients;
    const vpc = new Vpc(teaConfig(options, options.endpoints.vpc));
    const { body } = await vpc.allocateEipAddress(new $Vpc.AllocateEipAddressRequest({ regionId: REGION }));
    await vpc.associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: REGION,
        allocationId: body!.allocationId!,
        instanceId: machine.providerId.split('.')[1]!,
        instanceType: 'EcsInstance',
      }),
    );

    await machines.deleteMachine(machine);
    expect(fake.instances()).toEqual([]);
    const left = fake.disks();
    expect(left.map((disk) => [disk.DiskName, disk.Status])).toEqual([['w-0-keep-data-disk', 'Available']]);
    expect(warnings).toEqual([
      expect.objectContaining({ machine: 'w-0', keptDisks: [left[0]!.DiskId], keptEip: body!.allocationId }),
    ]);
  });
});
