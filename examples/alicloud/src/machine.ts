// Create an ECS machine (idempotently), read it back, list the cluster's machines, delete it.
// Offline, a network is reconciled first so the machine has a vSwitch and a security group; on
// Alibaba Cloud the machine class comes from TRELLIS_ALICLOUD_MACHINE_CLASS (JSON).
import type { InfrastructureState } from '@trellis/core';
import type { AlicloudInfrastructureConfig, AlicloudMachineClass } from '@trellis/provider-alicloud';
import { detail, live, openTarget, step } from './alicloud-target.ts';

const cluster = process.env.TRELLIS_ALICLOUD_CLUSTER ?? 'example-machines';
const target = await openTarget();
const { provider, region } = target;
let network: { config: AlicloudInfrastructureConfig; state: InfrastructureState } | undefined;

async function machineClass(): Promise<AlicloudMachineClass> {
  if (live) {
    const json = process.env.TRELLIS_ALICLOUD_MACHINE_CLASS;
    if (!json)
      throw new Error(
        'set TRELLIS_ALICLOUD_MACHINE_CLASS to an Alicloud machine class (JSON) to run against Alibaba Cloud',
      );
    return provider.machines.validateSpec(JSON.parse(json));
  }
  step('Reconciling a network for the machine (offline fake)');
  const config = provider.infrastructure.validateConfig({
    networks: { vpc: { cidr: '10.250.0.0/16' }, zones: [{ name: `${region}a`, workers: '10.250.0.0/19' }] },
  });
  const { status, state } = await provider.infrastructure.reconcile({ cluster, region, config });
  network = { config, state };
  detail(`vSwitch ${status.subnets[0]!.nodes}, security group ${status.securityGroupIds[0]}`);
  return provider.machines.validateSpec({
    imageID: 'm-gw8example',
    instanceType: 'ecs.g7.large',
    region,
    zoneID: `${region}a`,
    vSwitchID: status.subnets[0]!.nodes,
    securityGroupID: status.securityGroupIds[0]!,
    keyPairName: `${cluster}-ssh`,
    systemDisk: { category: 'cloud_essd', size: 50 },
    internetChargeType: 'PayByTraffic',
    tags: { [`kubernetes.io/cluster/${cluster}`]: '1', [`kubernetes.io/role/worker/${cluster}`]: '1' },
  });
}

try {
  const spec = await machineClass();
  step(`Creating machine worker-0 of cluster "${cluster}" (${target.mode})`);
  const request = { cluster, name: 'worker-0', spec, userData: '#!/bin/sh\necho hello from trellis\n' };
  const machine = await provider.machines.createMachine(request);
  detail(`${machine.providerId} ${machine.phase} ${machine.machineType} in ${machine.zone}`);
  const again = await provider.machines.createMachine(request);
  detail(`creating it again returns the same VM: ${again.providerId === machine.providerId}`);

  step('Reading it back and listing the cluster');
  const read = await provider.machines.getMachine({
    cluster,
    name: 'worker-0',
    providerId: machine.providerId,
  });
  detail(
    `${read.name}: ${read.phase}, addresses ${read.addresses.map((address) => `${address.type}=${address.address}`).join(' ')}`,
  );
  for await (const listed of provider.machines.listMachines({ cluster }))
    detail(`listed ${listed.name} ${listed.providerId}`);

  step('Deleting it (deleting again succeeds)');
  await provider.machines.deleteMachine(machine);
  await provider.machines.deleteMachine(machine);
  detail('deleted');
} finally {
  if (network) await provider.infrastructure.delete({ cluster, region, ...network });
  await target.close();
}
