// Create a machine (idempotently), read it back, list the cluster's machines, delete it.
// Offline, a network is reconciled first so the machine has a subnet, firewall rules and a service
// account; on GCP, the machine class comes from TRELLIS_GCP_MACHINE_CLASS (JSON).
import type { InfrastructureState } from '@trellis/core';
import type { GcpInfrastructureConfig, GcpMachineClass } from '@trellis/provider-gcp';
import { detail, live, openTarget, step } from './gcp-target.ts';

const cluster = process.env.TRELLIS_GCP_CLUSTER ?? 'example-machines';
const target = await openTarget();
const { provider, region } = target;
let network: { config: GcpInfrastructureConfig; state: InfrastructureState } | undefined;

async function machineClass(): Promise<GcpMachineClass> {
  if (live) {
    const json = process.env.TRELLIS_GCP_MACHINE_CLASS;
    if (!json)
      throw new Error('set TRELLIS_GCP_MACHINE_CLASS to a GCP machine class (JSON) to run against GCP');
    return provider.machines.validateSpec(JSON.parse(json));
  }
  step('Reconciling a network for the machine (offline fake)');
  const config = provider.infrastructure.validateConfig({ networks: { workers: '10.250.0.0/16' } });
  const { status, state } = await provider.infrastructure.reconcile({ cluster, region, config });
  network = { config, state };
  detail(`subnet ${status.subnets[0]!.nodes}, service account ${status.serviceAccountEmail}`);
  return provider.machines.validateSpec({
    machineType: 'n2-standard-2',
    region,
    zone: `${region}-b`,
    canIpForward: true,
    deletionProtection: false,
    disks: [
      {
        boot: true,
        type: 'pd-balanced',
        sizeGb: 50,
        image: 'projects/debian-cloud/global/images/family/debian-12',
      },
    ],
    networkInterfaces: [{ subnetwork: status.subnets[0]!.nodes, disableExternalIP: true }],
    serviceAccounts: [
      { email: status.serviceAccountEmail!, scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    ],
    tags: [`kubernetes-io-cluster-${cluster}`, 'kubernetes-io-role-node'],
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
