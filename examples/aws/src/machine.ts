// Create a machine (idempotently), read it back, list the cluster's machines, delete it.
// Offline, a network is reconciled first so the machine has a subnet and a security group;
// on AWS, the machine class comes from TRELLIS_AWS_MACHINE_CLASS (JSON).
import type { InfrastructureState } from '@trellis/core';
import type { AwsInfrastructureConfig, AwsMachineClass } from '@trellis/provider-aws';
import { detail, live, openTarget, step } from './aws-target.ts';

const cluster = process.env.TRELLIS_AWS_CLUSTER ?? 'example-machines';
const target = await openTarget();
const { provider, region } = target;
let network: { config: AwsInfrastructureConfig; state: InfrastructureState } | undefined;

async function machineClass(): Promise<AwsMachineClass> {
  if (live) {
    const json = process.env.TRELLIS_AWS_MACHINE_CLASS;
    if (!json)
      throw new Error('set TRELLIS_AWS_MACHINE_CLASS to an AWS machine class (JSON) to run against AWS');
    return provider.machines.validateSpec(JSON.parse(json));
  }
  step('Reconciling a network for the machine (offline fake)');
  const config = provider.infrastructure.validateConfig({
    networks: {
      vpc: { cidr: '10.0.0.0/16' },
      zones: [
        { name: `${region}a`, workers: '10.0.0.0/19', public: '10.0.32.0/20', internal: '10.0.48.0/20' },
      ],
    },
  });
  const { status, state } = await provider.infrastructure.reconcile({ cluster, region, config });
  network = { config, state };
  detail(`subnet ${status.subnets[0]!.nodes}, security group ${status.securityGroupIds[0]}`);
  return provider.machines.validateSpec({
    ami: 'ami-0123456789abcdef0',
    machineType: 'm5.large',
    region,
    iam: { name: status.identity ?? 'nodes' },
    networkInterfaces: [
      { subnetID: status.subnets[0]!.nodes, securityGroupIDs: [...status.securityGroupIds] },
    ],
    blockDevices: [{ deviceName: '/root', ebs: { volumeSize: 50, volumeType: 'gp3' } }],
    instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
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
