// Create a machine (idempotently), read it back, list the cluster's machines, delete it (its NIC and
// disks go with it). Offline, a network is reconciled first so the machine has a subnet in the
// cluster's resource group; on Azure, the machine class comes from TRELLIS_AZURE_MACHINE_CLASS (JSON).
import type { InfrastructureState } from '@trellis/core';
import type { AzureInfrastructureConfig, AzureMachineClass } from '@trellis/provider-azure';
import { detail, live, openTarget, step } from './azure-target.ts';

const cluster = process.env.TRELLIS_AZURE_CLUSTER ?? 'example-machines';
const target = await openTarget();
const { provider, location } = target;
let network: { config: AzureInfrastructureConfig; state: InfrastructureState } | undefined;

async function machineClass(): Promise<AzureMachineClass> {
  if (live) {
    const json = process.env.TRELLIS_AZURE_MACHINE_CLASS;
    if (!json)
      throw new Error(
        'set TRELLIS_AZURE_MACHINE_CLASS to an Azure machine class (JSON) to run against Azure',
      );
    return provider.machines.validateSpec(JSON.parse(json));
  }
  step('Reconciling a network for the machine (offline fake)');
  const config = provider.infrastructure.validateConfig({
    networks: { workers: '10.250.0.0/19', natGateway: { enabled: true } },
  });
  const { status, state } = await provider.infrastructure.reconcile({ cluster, region: location, config });
  network = { config, state };
  const subnet = status.networks.subnets[0]!;
  detail(`resource group ${status.resourceGroup.name}, subnet ${subnet.name} ${subnet.cidr}`);
  return provider.machines.validateSpec({
    location,
    resourceGroup: status.resourceGroup.name,
    subnetInfo: { vnetName: status.networks.vnet.name, subnetName: subnet.name },
    tags: { Name: cluster, [`kubernetes.io-cluster-${cluster}`]: '1', 'kubernetes.io-role-node': '1' },
    properties: {
      hardwareProfile: { vmSize: 'Standard_D2s_v5' },
      storageProfile: {
        imageReference: { urn: 'gardenlinux:greenhouse:gardenlinux:1877.3.0' },
        osDisk: {
          diskSizeGB: 50,
          createOption: 'FromImage',
          caching: 'None',
          managedDisk: { storageAccountType: 'Premium_LRS' },
        },
      },
      osProfile: {
        adminUsername: 'core',
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: {
            publicKeys: {
              path: '/home/core/.ssh/authorized_keys',
              keyData: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx8 example',
            },
          },
        },
      },
      zone: 1,
    },
  });
}

try {
  const spec = await machineClass();
  step(`Creating machine worker-0 of cluster "${cluster}" (${target.mode})`);
  const request = { cluster, name: 'worker-0', spec, userData: '#!/bin/sh\necho hello from trellis\n' };
  const machine = await provider.machines.createMachine(request);
  detail(`${machine.providerId} ${machine.phase} ${machine.machineType} in zone ${machine.zone}`);
  detail(`Kubernetes Node providerID: ${machine.nodeProviderId}`);
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

  step('Deleting it with its NIC and disks (deleting again succeeds)');
  await provider.machines.deleteMachine(machine);
  await provider.machines.deleteMachine(machine);
  detail('deleted');
} finally {
  if (network) await provider.infrastructure.delete({ cluster, region: location, ...network });
  await target.close();
}
