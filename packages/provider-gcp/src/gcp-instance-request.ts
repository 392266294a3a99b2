import type { protos } from '@google-cloud/compute';
import { encodeGceOwnership } from '@trellis/provider-kit';
import type { GcpMachineClass } from './gcp-machine-class.js';

/** The Instance resource `instances.insert` sends for a machine (MCM's `CreateMachineUtil`). */
export function instanceResource(request: {
  project: string;
  cluster: string;
  name: string;
  spec: GcpMachineClass;
  userData?: string | undefined;
  tags?: Readonly<Record<string, string>> | undefined;
}): protos.google.cloud.compute.v1.IInstance {
  const { project, spec } = request;
  const { zone, region } = spec;
  const ownership = encodeGceOwnership(
    { cluster: request.cluster, name: request.name },
    { ...spec.labels, ...request.tags },
  );
  return {
    name: request.name,
    machineType: `zones/${zone}/machineTypes/${spec.machineType}`,
    ...(spec.description ? { description: spec.description } : {}),
    canIpForward: spec.canIpForward,
    deletionProtection: spec.deletionProtection,
    ...(spec.minCpuPlatform ? { minCpuPlatform: spec.minCpuPlatform } : {}),
    labels: ownership.labels,
    tags: { items: [...new Set([...spec.tags, ...ownership.networkTags])] },
    disks: spec.disks.map((disk) =>
      disk.type === 'SCRATCH'
        ? {
            type: 'SCRATCH',
            boot: false,
            autoDelete: true,
            interface: disk.interface,
            initializeParams: { diskType: `zones/${zone}/diskTypes/local-ssd` },
          }
        : {
            type: 'PERSISTENT',
            boot: disk.boot,
            autoDelete: disk.autoDelete ?? true,
            initializeParams: {
              diskType: `zones/${zone}/diskTypes/${disk.type}`,
              ...(disk.sizeGb ? { diskSizeGb: String(disk.sizeGb) } : {}),
              ...(disk.image ? { sourceImage: disk.image } : {}),
              ...(disk.labels ? { labels: disk.labels } : {}),
              ...(disk.provisionedIops ? { provisionedIops: String(disk.provisionedIops) } : {}),
              ...(disk.provisionedThroughput
                ? { provisionedThroughput: String(disk.provisionedThroughput) }
                : {}),
            },
            ...(disk.encryption
              ? {
                  diskEncryptionKey: {
                    kmsKeyName: disk.encryption.kmsKeyName.trim(),
                    ...(disk.encryption.kmsKeyServiceAccount
                      ? { kmsKeyServiceAccount: disk.encryption.kmsKeyServiceAccount.trim() }
                      : {}),
                  },
                }
              : {}),
          },
    ),
    networkInterfaces: spec.networkInterfaces.map((networkInterface) => ({
      ...(networkInterface.network
        ? { network: `projects/${project}/global/networks/${networkInterface.network}` }
        : {}),
      ...(networkInterface.subnetwork
        ? { subnetwork: `regions/${region}/subnetworks/${networkInterface.subnetwork}` }
        : {}),
      ...(networkInterface.disableExternalIP ? {} : { accessConfigs: [{}] }),
      ...(networkInterface.stackType ? { stackType: networkInterface.stackType } : {}),
      ...(networkInterface.ipv6accessType ? { ipv6AccessType: networkInterface.ipv6accessType } : {}),
    })),
    ...(spec.scheduling
      ? {
          scheduling: {
            automaticRestart:
              spec.scheduling.automaticRestart && !spec.scheduling.preemptible && !spec.scheduling.spot,
            onHostMaintenance: spec.scheduling.onHostMaintenance,
            preemptible: spec.scheduling.preemptible,
            ...(spec.scheduling.spot ? { provisioningModel: 'SPOT' } : {}),
          },
        }
      : {}),
    ...(spec.serviceAccounts ? { serviceAccounts: spec.serviceAccounts } : {}),
    ...(spec.gpu
      ? {
          guestAccelerators: [
            {
              acceleratorType: `projects/${project}/zones/${zone}/acceleratorTypes/${spec.gpu.acceleratorType}`,
              acceleratorCount: spec.gpu.count,
            },
          ],
        }
      : {}),
    metadata: {
      items: [
        ...(request.userData === undefined ? [] : [{ key: 'user-data', value: request.userData }]),
        ...(spec.metadata ?? []).map((item) => ({ key: item.key, value: item.value ?? null })),
      ],
    },
  };
}
