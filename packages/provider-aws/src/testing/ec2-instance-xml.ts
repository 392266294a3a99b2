import { privateDnsName, publicDnsName } from './ec2-addressing.js';
import { tagFilterValues } from './ec2-describe.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import { type FakeInstance, INSTANCE_STATE_CODES, type InstanceStateName } from './ec2-fake-types.js';
import type { XmlObject } from './ec2-xml.js';

export function instanceStateXml(name: InstanceStateName): XmlObject {
  return { code: INSTANCE_STATE_CODES[name], name };
}

/** An instance as EC2's `Instance` shape (`instancesSet/item`). */
export function instanceXml(state: Ec2FakeState, instance: FakeInstance, region: string): XmlObject {
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: instanceStateXml(instance.state),
    privateDnsName: privateDnsName(instance.privateIpAddress, region),
    dnsName: publicDnsName(instance.publicIpAddress, region),
    reason: instance.stateTransitionReason,
    keyName: instance.keyName,
    amiLaunchIndex: instance.amiLaunchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: { availabilityZone: instance.availabilityZone, groupName: '', tenancy: instance.tenancy },
    monitoring: { state: 'disabled' },
    subnetId: instance.subnetId,
    vpcId: instance.vpcId,
    privateIpAddress: instance.privateIpAddress,
    ipAddress: instance.publicIpAddress,
    sourceDestCheck: instance.sourceDestCheck,
    groupSet: instance.securityGroups.map((group) => ({
      groupId: group.groupId,
      groupName: group.groupName,
    })),
    stateReason:
      instance.state === 'pending'
        ? { code: 'pending', message: 'pending' }
        : instance.state === 'terminated' || instance.state === 'shutting-down'
          ? {
              code: 'Client.UserInitiatedShutdown',
              message: 'Client.UserInitiatedShutdown: User initiated shutdown',
            }
          : undefined,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: instance.rootDeviceName,
    blockDeviceMapping:
      instance.state === 'terminated'
        ? []
        : instance.blockDevices.map((device) => ({
            deviceName: device.deviceName,
            ebs: {
              volumeId: device.volumeId,
              status: 'attached',
              attachTime: instance.launchTime,
              deleteOnTermination: device.deleteOnTermination,
            },
          })),
    instanceLifecycle: instance.instanceLifecycle,
    virtualizationType: 'hvm',
    clientToken: instance.clientToken ?? '',
    tagSet: state.tagSet(instance.instanceId),
    hypervisor: 'xen',
    iamInstanceProfile: instance.iamInstanceProfile,
    networkInterfaceSet: instance.networkInterfaces.map((networkInterface) => ({
      networkInterfaceId: networkInterface.networkInterfaceId,
      subnetId: networkInterface.subnetId,
      vpcId: networkInterface.vpcId,
      description: '',
      ownerId: FAKE_ACCOUNT_ID,
      status: 'in-use',
      macAddress: networkInterface.macAddress,
      privateIpAddress: networkInterface.privateIpAddress,
      privateDnsName: privateDnsName(networkInterface.privateIpAddress, region),
      sourceDestCheck: true,
      groupSet: networkInterface.groups.map((group) => ({
        groupId: group.groupId,
        groupName: group.groupName,
      })),
      attachment: {
        attachmentId: networkInterface.attachmentId,
        deviceIndex: networkInterface.deviceIndex,
        status: 'attached',
        attachTime: instance.launchTime,
        deleteOnTermination: networkInterface.deleteOnTermination,
        networkCardIndex: 0,
      },
      association: networkInterface.publicIpAddress
        ? {
            publicIp: networkInterface.publicIpAddress,
            publicDnsName: publicDnsName(networkInterface.publicIpAddress, region),
            ipOwnerId: 'amazon',
          }
        : undefined,
      privateIpAddressesSet: [
        {
          privateIpAddress: networkInterface.privateIpAddress,
          privateDnsName: privateDnsName(networkInterface.privateIpAddress, region),
          primary: true,
        },
      ],
      ipv6AddressesSet: [],
      interfaceType: 'interface',
    })),
    ebsOptimized: false,
    enaSupport: true,
    cpuOptions: instance.cpuOptions ?? { coreCount: 1, threadsPerCore: 2 },
    capacityReservationSpecification: {
      capacityReservationPreference: instance.capacityReservationPreference ?? 'open',
    },
    hibernationOptions: { configured: false },
    metadataOptions: {
      state: 'applied',
      httpTokens: instance.metadataOptions?.httpTokens ?? 'optional',
      httpPutResponseHopLimit: instance.metadataOptions?.httpPutResponseHopLimit ?? 1,
      httpEndpoint: instance.metadataOptions?.httpEndpoint ?? 'enabled',
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'disabled',
    },
    enclaveOptions: { enabled: false },
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    privateDnsNameOptions: {
      hostnameType: 'ip-name',
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
    maintenanceOptions: { autoRecovery: 'default' },
  };
}

/** The values of an instance for each DescribeInstances filter the fake supports. */
export function instanceFilterValues(state: Ec2FakeState, instance: FakeInstance, name: string) {
  const tagValues = tagFilterValues(state, instance.instanceId, name);
  if (tagValues) return tagValues;
  switch (name) {
    case 'instance-id':
      return [instance.instanceId];
    case 'instance-state-name':
      return [instance.state];
    case 'instance-state-code':
      return [INSTANCE_STATE_CODES[instance.state]];
    case 'vpc-id':
      return [instance.vpcId];
    case 'subnet-id':
      return [instance.subnetId];
    case 'availability-zone':
      return [instance.availabilityZone];
    case 'instance-type':
      return [instance.instanceType];
    case 'image-id':
      return [instance.imageId];
    case 'key-name':
      return [instance.keyName];
    case 'client-token':
      return [instance.clientToken];
    case 'reservation-id':
      return [instance.reservationId];
    case 'private-ip-address':
      return [instance.privateIpAddress];
    case 'ip-address':
      return [instance.publicIpAddress];
    case 'instance-lifecycle':
      return [instance.instanceLifecycle];
    case 'instance.group-id':
    case 'group-id':
      return instance.securityGroups.map((group) => group.groupId);
    case 'network-interface.network-interface-id':
      return instance.networkInterfaces.map((networkInterface) => networkInterface.networkInterfaceId);
    case 'iam-instance-profile.arn':
      return [instance.iamInstanceProfile?.arn];
    default:
      return undefined;
  }
}
