import { allocatePrivateAddress, loosePrivateAddress } from './ec2-addressing.js';
import { ec2Error, invalidParameterValue, missingParameter, notFoundError } from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type {
  FakeBlockDevice,
  FakeInstance,
  FakeNetworkInterface,
  FakeReservation,
  FakeSecurityGroupRef,
  FakeSubnet,
} from './ec2-fake-types.js';
import { type ActionContext, zonesOf } from './ec2-handler.js';
import type { ImageCatalog } from './ec2-images.js';
import type { QueryParams } from './ec2-query.js';

const TAGGABLE_ON_LAUNCH = new Set(['instance', 'volume', 'network-interface', 'spot-instances-request']);
const USER_DATA_LIMIT = 16 * 1024;

/** Options that shape RunInstances beyond EC2's own rules. */
export interface RunInstancesLimits {
  /** Live (not terminated) instances allowed at once; more fail with InstanceLimitExceeded. */
  maxInstances?: number;
  images: ImageCatalog;
}

function resolveGroups(
  state: Ec2FakeState,
  ids: string[],
  names: string[],
  vpcId?: string,
): FakeSecurityGroupRef[] {
  const groups: FakeSecurityGroupRef[] = [];
  const missing = ids.filter((id) => !state.securityGroups.has(id));
  if (missing.length > 0) throw notFoundError(missing);
  for (const id of ids) {
    const group = state.securityGroups.get(id)!;
    if (vpcId && group.vpcId !== vpcId) {
      throw ec2Error('InvalidParameter', `Security group ${id} and subnet belong to different networks.`);
    }
    groups.push({ groupId: group.groupId, groupName: group.groupName });
  }
  for (const name of names) {
    const group = [...state.securityGroups.values()].find(
      (candidate) => candidate.groupName === name && (!vpcId || candidate.vpcId === vpcId),
    );
    if (!group) throw ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
    groups.push({ groupId: group.groupId, groupName: group.groupName });
  }
  return groups;
}

function validateUserData(userData: string | undefined): void {
  if (userData === undefined) return;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(userData) || userData.length % 4 === 1) {
    throw invalidParameterValue('Invalid BASE64 encoding of user data.');
  }
  if (Buffer.from(userData, 'base64').length > USER_DATA_LIMIT) {
    throw invalidParameterValue(`User data is limited to ${USER_DATA_LIMIT} bytes`);
  }
}

interface InterfaceRequest {
  subnet?: FakeSubnet;
  groups: FakeSecurityGroupRef[];
  deviceIndex: number;
  associatePublicIp: boolean;
  deleteOnTermination: boolean;
  privateIpAddress?: string;
}

function interfaceRequests(state: Ec2FakeState, params: QueryParams): InterfaceRequest[] {
  const specified = params.list('NetworkInterface');
  const subnetOf = (id: string | undefined) => {
    if (id === undefined) return undefined;
    const subnet = state.subnets.get(id);
    if (!subnet) throw notFoundError([id]);
    return subnet;
  };
  if (specified.length > 0) {
    if (params.has('SubnetId') || params.has('SecurityGroupId') || params.has('SecurityGroup')) {
      throw ec2Error(
        'InvalidParameterCombination',
        'Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request',
      );
    }
    return specified.map((spec) => {
      const subnet = subnetOf(spec.string('SubnetId'));
      if (!subnet) throw missingParameter('NetworkInterface.SubnetId');
      return {
        subnet,
        groups: resolveGroups(state, spec.strings('SecurityGroupId'), [], subnet.vpcId),
        deviceIndex: spec.int('DeviceIndex') ?? 0,
        associatePublicIp: spec.bool('AssociatePublicIpAddress') ?? subnet.mapPublicIpOnLaunch,
        deleteOnTermination: spec.bool('DeleteOnTermination') ?? true,
        privateIpAddress: spec.string('PrivateIpAddress'),
      };
    });
  }
  const subnet = subnetOf(params.string('SubnetId'));
  return [
    {
      subnet,
      groups: resolveGroups(
        state,
        params.strings('SecurityGroupId'),
        params.strings('SecurityGroup'),
        subnet?.vpcId,
      ),
      deviceIndex: 0,
      associatePublicIp: subnet?.mapPublicIpOnLaunch ?? false,
      deleteOnTermination: true,
      privateIpAddress: params.string('PrivateIpAddress'),
    },
  ];
}

function blockDevices(params: QueryParams, rootDeviceName: string): Array<Omit<FakeBlockDevice, 'volumeId'>> {
  const mappings = params.list('BlockDeviceMapping').filter((mapping) => mapping.child('Ebs'));
  const devices = mappings.map((mapping) => {
    const ebs = mapping.child('Ebs')!;
    const volumeType = ebs.string('VolumeType') ?? 'gp2';
    const iops = ebs.int('Iops');
    if ((volumeType === 'io1' || volumeType === 'io2') && iops === undefined) {
      throw ec2Error(
        'InvalidParameterCombination',
        `The parameter iops must be specified for ${volumeType} volumes.`,
      );
    }
    return {
      deviceName: mapping.required('DeviceName'),
      deleteOnTermination: ebs.bool('DeleteOnTermination') ?? true,
      volumeSize: ebs.int('VolumeSize') ?? 8,
      volumeType,
      iops,
      throughput: ebs.int('Throughput'),
      encrypted: ebs.bool('Encrypted') ?? false,
      kmsKeyId: ebs.string('KmsKeyId'),
    };
  });
  if (!devices.some((device) => device.deviceName === rootDeviceName)) {
    devices.unshift({
      deviceName: rootDeviceName,
      deleteOnTermination: true,
      volumeSize: 8,
      volumeType: 'gp2',
      iops: undefined,
      throughput: undefined,
      encrypted: false,
      kmsKeyId: undefined,
    });
  }
  return devices;
}

/** RunInstances, with EC2's ClientToken idempotency. Returns the reservation (new or the token's). */
export function runInstances(
  { params, state, region }: ActionContext,
  limits: RunInstancesLimits,
): FakeReservation {
  const clientToken = params.string('ClientToken');
  const fingerprint = params.fingerprint(['ClientToken', 'Action', 'Version']);
  if (clientToken !== undefined) {
    const known = state.clientTokens.get(`RunInstances:${clientToken}`);
    if (known) {
      if (known.fingerprint !== fingerprint) {
        throw ec2Error(
          'IdempotentParameterMismatch',
          'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).',
        );
      }
      const reservation = state.reservations.get(known.id);
      if (reservation?.instanceIds.some((id) => state.instances.has(id))) return reservation;
    }
  }
  const imageId = params.required('ImageId');
  const rootDeviceName = limits.images.get(imageId).rootDeviceName ?? '/dev/xvda';
  const minCount = params.int('MinCount');
  const maxCount = params.int('MaxCount');
  if (minCount === undefined) throw missingParameter('MinCount');
  if (maxCount === undefined) throw missingParameter('MaxCount');
  if (minCount < 1 || maxCount < minCount) {
    throw invalidParameterValue(`Invalid MinCount ${minCount} / MaxCount ${maxCount}`);
  }
  const keyName = params.string('KeyName');
  if (keyName !== undefined && !state.keyPairs.has(keyName)) {
    throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
  }
  const userData = params.string('UserData');
  validateUserData(userData);
  const specifications = params.tagSpecifications();
  for (const specification of specifications) {
    if (!TAGGABLE_ON_LAUNCH.has(specification.resourceType)) {
      throw invalidParameterValue(
        `'${specification.resourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
  }
  const interfaces = interfaceRequests(state, params);
  const primary = interfaces.find((request) => request.deviceIndex === 0) ?? interfaces[0]!;
  const placementZone = params.child('Placement')?.string('AvailabilityZone');
  if (placementZone && primary.subnet && placementZone !== primary.subnet.availabilityZone) {
    throw invalidParameterValue(`The subnet is not in availability zone ${placementZone}`);
  }
  if (placementZone && !primary.subnet && !zonesOf(region).includes(placementZone)) {
    throw invalidParameterValue(`Invalid availability zone: [${placementZone}]`);
  }
  const zone = primary.subnet?.availabilityZone ?? placementZone ?? zonesOf(region)[0]!;
  let count = maxCount;
  if (limits.maxInstances !== undefined) {
    const live = [...state.instances.values()].filter((instance) => instance.state !== 'terminated').length;
    const room = limits.maxInstances - live;
    if (room < minCount) {
      throw ec2Error(
        'InstanceLimitExceeded',
        `You have requested more instances (${minCount}) than your current instance limit of ${limits.maxInstances} allows.`,
      );
    }
    count = Math.min(maxCount, room);
  }
  const profile = params.child('IamInstanceProfile');
  const profileName = profile?.string('Name');
  const profileArn = profile?.string('Arn');
  let iamInstanceProfile: FakeInstance['iamInstanceProfile'];
  if (profileName !== undefined || profileArn !== undefined) {
    const known = [...state.instanceProfiles.values()].find(
      (candidate) => candidate.instanceProfileName === profileName || candidate.arn === profileArn,
    );
    iamInstanceProfile = known
      ? { arn: known.arn, id: known.instanceProfileId }
      : {
          arn: profileArn ?? `arn:aws:iam::${FAKE_ACCOUNT_ID}:instance-profile/${profileName}`,
          id: `AIPA${state.newId('x').slice(2).toUpperCase()}`,
        };
  }
  const market = params.child('InstanceMarketOptions')?.string('MarketType');
  const metadata = params.child('MetadataOptions');
  const cpu = params.child('CpuOptions');
  const deviceTemplates = blockDevices(params, rootDeviceName);
  const reservation: FakeReservation = {
    reservationId: state.newId('r'),
    instanceIds: [],
    clientToken,
    fingerprint,
  };
  const now = Date.now();
  const created = { instance: [] as string[], volume: [] as string[], 'network-interface': [] as string[] };

  for (let index = 0; index < count; index += 1) {
    const instanceId = state.newId('i');
    const networkInterfaces: FakeNetworkInterface[] = interfaces.map((request) => {
      const networkInterface: FakeNetworkInterface = {
        networkInterfaceId: state.newId('eni'),
        attachmentId: state.newId('eni-attach'),
        deviceIndex: request.deviceIndex,
        subnetId: request.subnet?.subnetId,
        vpcId: request.subnet?.vpcId,
        privateIpAddress: request.subnet
          ? allocatePrivateAddress(request.subnet, count === 1 ? request.privateIpAddress : undefined)
          : loosePrivateAddress(),
        publicIpAddress: request.associatePublicIp ? state.newPublicIp() : undefined,
        macAddress: state.newMacAddress(),
        groups: request.groups,
        deleteOnTermination: request.deleteOnTermination,
        instanceId,
      };
      state.networkInterfaces.set(networkInterface.networkInterfaceId, { ...networkInterface });
      created['network-interface'].push(networkInterface.networkInterfaceId);
      return networkInterface;
    });
    const devices: FakeBlockDevice[] = deviceTemplates.map((template) => {
      const volumeId = state.newId('vol');
      state.volumes.set(volumeId, {
        volumeId,
        size: template.volumeSize,
        volumeType: template.volumeType,
        availabilityZone: zone,
        encrypted: template.encrypted,
        instanceId,
        deviceName: template.deviceName,
        createTime: new Date(now),
      });
      created.volume.push(volumeId);
      return { ...template, volumeId };
    });
    const primaryInterface = networkInterfaces.find((item) => item.deviceIndex === 0) ?? networkInterfaces[0];
    const instance: FakeInstance = {
      instanceId,
      reservationId: reservation.reservationId,
      amiLaunchIndex: index,
      imageId,
      instanceType: params.string('InstanceType') ?? 'm1.small',
      keyName,
      launchTime: new Date(Math.floor(now / 1000) * 1000),
      availabilityZone: zone,
      tenancy: params.child('Placement')?.string('Tenancy') ?? 'default',
      subnetId: primaryInterface?.subnetId,
      vpcId: primaryInterface?.vpcId,
      privateIpAddress: primaryInterface?.privateIpAddress,
      publicIpAddress: primaryInterface?.publicIpAddress,
      securityGroups: primaryInterface?.groups ?? [],
      userData,
      clientToken,
      iamInstanceProfile,
      blockDevices: devices,
      networkInterfaces,
      rootDeviceName,
      sourceDestCheck: true,
      state: 'pending',
      stateTransitionReason: '',
      instanceLifecycle: market === 'spot' ? 'spot' : undefined,
      metadataOptions: metadata
        ? {
            httpTokens: metadata.string('HttpTokens') ?? 'optional',
            httpPutResponseHopLimit: metadata.int('HttpPutResponseHopLimit') ?? 1,
            httpEndpoint: metadata.string('HttpEndpoint') ?? 'enabled',
          }
        : undefined,
      cpuOptions: cpu
        ? { coreCount: cpu.int('CoreCount') ?? 1, threadsPerCore: cpu.int('ThreadsPerCore') ?? 2 }
        : undefined,
      capacityReservationPreference: params
        .child('CapacityReservationSpecification')
        ?.string('CapacityReservationPreference'),
      launchedAtMs: now,
    };
    state.instances.set(instanceId, instance);
    reservation.instanceIds.push(instanceId);
    created.instance.push(instanceId);
  }
  state.applyTagSpecifications(specifications, created);
  state.reservations.set(reservation.reservationId, reservation);
  if (clientToken !== undefined) {
    state.clientTokens.set(`RunInstances:${clientToken}`, { fingerprint, id: reservation.reservationId });
  }
  return reservation;
}
