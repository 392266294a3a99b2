import { createHash } from 'node:crypto';
import type {
  BlockDeviceMapping,
  InstanceNetworkInterfaceSpecification,
  RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { machineTags } from '@trellis/core';
import type { AwsMachineClass } from './aws-machine-class.js';
import { ROOT_DEVICE_NAME } from './aws-machine-class-rules.js';
import { toTags } from './aws-machine-instance.js';

/**
 * The `ClientToken` of a machine's `RunInstances`: a stable hash of cluster and name (64 hex
 * characters, EC2's limit), so a retried create returns the first call's instance. `previous`
 * is the instance an earlier token already made and that has since been terminated: EC2 keeps
 * answering a token with its instance, so a re-created machine needs the next token in the chain.
 */
export function machineClientToken(cluster: string, name: string, previous?: string): string {
  const seed = previous ? `trellis/${cluster}/${name}/${previous}` : `trellis/${cluster}/${name}`;
  return createHash('sha256').update(seed).digest('hex');
}

/** True when the machine class maps Gardener's `/root` device and so needs the AMI's root device name. */
export function needsRootDeviceName(spec: AwsMachineClass): boolean {
  const devices = spec.blockDevices ?? [];
  return devices.some(
    (device) => device.deviceName === ROOT_DEVICE_NAME || (devices.length === 1 && !device.deviceName),
  );
}

function blockDeviceMappings(
  spec: AwsMachineClass,
  rootDeviceName: string | undefined,
): BlockDeviceMapping[] {
  const devices = spec.blockDevices ?? [];
  return devices.map((device) => {
    const isRoot = device.deviceName === ROOT_DEVICE_NAME || (devices.length === 1 && !device.deviceName);
    const { ebs } = device;
    return {
      DeviceName: isRoot ? (rootDeviceName ?? '/dev/xvda') : device.deviceName,
      Ebs: {
        VolumeSize: ebs.volumeSize,
        VolumeType: ebs.volumeType ?? 'gp3',
        Iops: ebs.iops,
        Throughput: ebs.throughput,
        Encrypted: ebs.encrypted ?? true,
        KmsKeyId: ebs.kmsKeyID,
        SnapshotId: ebs.snapshotID,
        DeleteOnTermination: ebs.deleteOnTermination ?? true,
      },
    };
  });
}

function networkInterfaces(spec: AwsMachineClass): InstanceNetworkInterfaceSpecification[] {
  return (spec.networkInterfaces ?? []).map((networkInterface, index) => ({
    DeviceIndex: networkInterface.deviceIndex ?? index,
    SubnetId: networkInterface.subnetID,
    Groups: networkInterface.securityGroupIDs,
    AssociatePublicIpAddress: networkInterface.associatePublicIPAddress,
    Ipv6AddressCount: networkInterface.ipv6AddressCount,
    Ipv6PrefixCount: networkInterface.ipv6PrefixCount,
    DeleteOnTermination: networkInterface.deleteOnTermination ?? true,
    Description: networkInterface.description,
    InterfaceType: networkInterface.interfaceType,
    NetworkCardIndex: networkInterface.networkCardIndex,
    PrimaryIpv6: networkInterface.primaryIpv6,
  }));
}

function marketOptions(spec: AwsMachineClass): RunInstancesCommandInput['InstanceMarketOptions'] {
  if (spec.capacityReservation?.isMLCapacityBlock) return { MarketType: 'capacity-block' };
  if (spec.spotPrice === undefined) return undefined;
  return {
    MarketType: 'spot',
    SpotOptions: {
      ...(spec.spotPrice ? { MaxPrice: spec.spotPrice } : {}),
      SpotInstanceType: 'one-time',
      InstanceInterruptionBehavior: 'terminate',
    },
  };
}

function capacityReservation(
  spec: AwsMachineClass,
): RunInstancesCommandInput['CapacityReservationSpecification'] {
  const reservation = spec.capacityReservation;
  if (!reservation) return undefined;
  if (reservation.capacityReservationPreference) {
    return { CapacityReservationPreference: reservation.capacityReservationPreference };
  }
  if (reservation.capacityReservationId) {
    return { CapacityReservationTarget: { CapacityReservationId: reservation.capacityReservationId } };
  }
  if (reservation.capacityReservationResourceGroupArn) {
    return {
      CapacityReservationTarget: {
        CapacityReservationResourceGroupArn: reservation.capacityReservationResourceGroupArn,
      },
    };
  }
  return undefined;
}

/** What one machine's `RunInstances` needs besides the machine class. */
export interface RunInstancesRequest {
  cluster: string;
  name: string;
  spec: AwsMachineClass;
  clientToken: string;
  userData?: string;
  tags?: Readonly<Record<string, string>>;
  /** The AMI's root device name, for a `/root` block device. */
  rootDeviceName?: string;
}

/** The `RunInstances` input of one machine: one instance, tagged on launch with its ownership tags. */
export function runInstancesInput(request: RunInstancesRequest): RunInstancesCommandInput {
  const { spec } = request;
  const tags = toTags(machineTags(request.cluster, request.name, { ...spec.tags, ...request.tags }));
  const metadata = spec.instanceMetadataOptions;
  const placement = spec.placement;
  const input: RunInstancesCommandInput = {
    ImageId: spec.ami,
    InstanceType: spec.machineType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: request.clientToken,
    UserData: request.userData === undefined ? undefined : Buffer.from(request.userData).toString('base64'),
    IamInstanceProfile: spec.iam?.arn
      ? { Arn: spec.iam.arn }
      : spec.iam?.name
        ? { Name: spec.iam.name }
        : undefined,
    KeyName: spec.keyName,
    NetworkInterfaces: networkInterfaces(spec),
    BlockDeviceMappings: spec.blockDevices ? blockDeviceMappings(spec, request.rootDeviceName) : undefined,
    TagSpecifications: (['instance', 'volume', 'network-interface'] as const).map((ResourceType) => ({
      ResourceType,
      Tags: tags,
    })),
    InstanceMarketOptions: marketOptions(spec),
    CapacityReservationSpecification: capacityReservation(spec),
    MetadataOptions: metadata
      ? {
          HttpTokens: metadata.httpTokens,
          HttpPutResponseHopLimit: metadata.httpPutResponseHopLimit,
          HttpEndpoint: metadata.httpEndpoint,
          HttpProtocolIpv6: metadata.httpProtocolIpv6,
        }
      : undefined,
    CpuOptions: spec.cpuOptions
      ? {
          CoreCount: spec.cpuOptions.coreCount,
          ThreadsPerCore: spec.cpuOptions.threadsPerCore,
          AmdSevSnp: spec.cpuOptions.amdSevSnp,
        }
      : undefined,
    Placement: placement
      ? {
          AvailabilityZone: placement.availabilityZone,
          GroupId: placement.groupId,
          PartitionNumber: placement.partitionNumber,
          Tenancy: placement.tenancy,
          HostId: placement.hostId,
          Affinity: placement.affinity,
        }
      : undefined,
    EbsOptimized: spec.ebsOptimized,
    Monitoring: spec.monitoring === undefined ? undefined : { Enabled: spec.monitoring },
  };
  return input;
}
