/** A problem found by {@link checkAwsMachineClass}, with its path as segments. */
export interface MachineClassIssue {
  path: Array<string | number>;
  message: string;
}

/** The device name that marks the root disk (Gardener's convention). */
export const ROOT_DEVICE_NAME = '/root';
const DATA_DEVICE_NAME = /^\/dev\/(sd[a-z]|xvd[a-z]|xvd[a-c][a-z])$/;

/** Size (GiB) and IOPS ranges per EBS volume type, as EC2 documents them. */
const VOLUME_LIMITS: Record<
  string,
  { size: [number, number]; iops?: [number, number]; iopsRequired?: boolean }
> = {
  gp2: { size: [1, 16_384] },
  gp3: { size: [1, 65_536], iops: [3000, 80_000] },
  io1: { size: [4, 16_384], iops: [100, 64_000], iopsRequired: true },
  io2: { size: [4, 65_536], iops: [100, 256_000], iopsRequired: true },
  st1: { size: [125, 16_384] },
  sc1: { size: [125, 16_384] },
  standard: { size: [1, 1024] },
};

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
const isSet = (value: unknown) => value !== undefined && value !== null && value !== '';

function checkIam(spec: Loose, issues: MachineClassIssue[]): void {
  const iam = asObject(spec.iam);
  const hasName = isSet(iam?.name);
  const hasArn = isSet(iam?.arn);
  if (hasName === hasArn) {
    issues.push({ path: ['iam'], message: 'exactly one of iam.name and iam.arn must be set' });
  }
  if (hasArn && typeof iam?.arn === 'string' && !iam.arn.startsWith('arn:')) {
    issues.push({ path: ['iam', 'arn'], message: 'must be an instance profile ARN (arn:...)' });
  }
}

function checkBlockDevices(spec: Loose, issues: MachineClassIssue[]): void {
  if (!Array.isArray(spec.blockDevices)) return;
  const devices = spec.blockDevices as unknown[];
  const seen = new Map<string, number>();
  let roots = 0;
  devices.forEach((raw, index) => {
    const device = asObject(raw) ?? {};
    const name = device.deviceName;
    const isRoot = name === ROOT_DEVICE_NAME || (devices.length === 1 && !isSet(name));
    if (isRoot) roots++;
    else if (typeof name !== 'string' || !DATA_DEVICE_NAME.test(name)) {
      issues.push({
        path: ['blockDevices', index, 'deviceName'],
        message: `must be ${ROOT_DEVICE_NAME} for the root disk or match /dev/sd[a-z] or /dev/xvd[a-z] (got ${JSON.stringify(name ?? null)})`,
      });
    }
    if (typeof name === 'string') seen.set(name, (seen.get(name) ?? 0) + 1);
    checkEbs(asObject(device.ebs) ?? {}, ['blockDevices', index, 'ebs'], issues);
  });
  if (devices.length > 0 && roots !== 1) {
    issues.push({
      path: ['blockDevices'],
      message: `exactly one device must be the root disk (${ROOT_DEVICE_NAME}), found ${roots}`,
    });
  }
  for (const [name, count] of seen) {
    if (count > 1)
      issues.push({ path: ['blockDevices'], message: `device name ${name} is used ${count} times` });
  }
}

function checkEbs(ebs: Loose, path: Array<string | number>, issues: MachineClassIssue[]): void {
  const type = typeof ebs.volumeType === 'string' ? ebs.volumeType : 'gp3';
  const limits = VOLUME_LIMITS[type];
  if (!limits) return;
  const size = ebs.volumeSize;
  if (typeof size !== 'number') {
    if (!isSet(ebs.snapshotID)) issues.push({ path: [...path, 'volumeSize'], message: 'is required' });
  } else if (size < limits.size[0] || size > limits.size[1]) {
    issues.push({
      path: [...path, 'volumeSize'],
      message: `must be between ${limits.size[0]} and ${limits.size[1]} GiB for ${type} volumes`,
    });
  }
  const iops = ebs.iops;
  if (iops === undefined) {
    if (limits.iopsRequired)
      issues.push({ path: [...path, 'iops'], message: `is required for ${type} volumes` });
  } else if (!limits.iops) {
    issues.push({ path: [...path, 'iops'], message: `is not allowed for ${type} volumes` });
  } else if (typeof iops === 'number' && (iops < limits.iops[0] || iops > limits.iops[1])) {
    issues.push({
      path: [...path, 'iops'],
      message: `must be between ${limits.iops[0]} and ${limits.iops[1]} for ${type} volumes`,
    });
  }
  const throughput = ebs.throughput;
  if (throughput !== undefined) {
    if (type !== 'gp3')
      issues.push({ path: [...path, 'throughput'], message: 'is only allowed for gp3 volumes' });
    else if (typeof throughput === 'number' && (throughput < 125 || throughput > 2000)) {
      issues.push({ path: [...path, 'throughput'], message: 'must be between 125 and 2000 MiB/s' });
    }
  }
  if (isSet(ebs.kmsKeyID) && ebs.encrypted === false) {
    issues.push({ path: [...path, 'kmsKeyID'], message: 'needs encrypted: true' });
  }
}

function checkNetworkInterfaces(spec: Loose, issues: MachineClassIssue[]): void {
  const interfaces = spec.networkInterfaces;
  if (!Array.isArray(interfaces) || interfaces.length === 0) {
    issues.push({ path: ['networkInterfaces'], message: 'at least one network interface is required' });
    return;
  }
  interfaces.forEach((raw, index) => {
    const networkInterface = asObject(raw) ?? {};
    const groups = networkInterface.securityGroupIDs;
    if (!Array.isArray(groups) || groups.length === 0) {
      issues.push({
        path: ['networkInterfaces', index, 'securityGroupIDs'],
        message: 'at least one security group is required',
      });
    } else {
      groups.forEach((group, groupIndex) => {
        if (typeof group !== 'string' || group === '') {
          issues.push({
            path: ['networkInterfaces', index, 'securityGroupIDs', groupIndex],
            message: 'must not be blank',
          });
        }
      });
    }
    if (networkInterface.associatePublicIPAddress === true && interfaces.length > 1) {
      issues.push({
        path: ['networkInterfaces', index, 'associatePublicIPAddress'],
        message: 'a public IP can only be assigned when the machine has a single network interface',
      });
    }
  });
}

function checkCapacityReservation(spec: Loose, issues: MachineClassIssue[]): void {
  const reservation = asObject(spec.capacityReservation);
  if (!reservation) return;
  const hasTarget =
    isSet(reservation.capacityReservationId) || isSet(reservation.capacityReservationResourceGroupArn);
  if (isSet(reservation.capacityReservationPreference) && hasTarget) {
    issues.push({
      path: ['capacityReservation'],
      message:
        'capacityReservationPreference cannot be set together with a reservation id or resource group ARN',
    });
  } else if (
    isSet(reservation.capacityReservationId) &&
    isSet(reservation.capacityReservationResourceGroupArn)
  ) {
    issues.push({
      path: ['capacityReservation'],
      message: 'set capacityReservationId or capacityReservationResourceGroupArn, not both',
    });
  }
  if (reservation.isMLCapacityBlock === true && spec.spotPrice !== undefined) {
    issues.push({ path: ['spotPrice'], message: 'cannot be combined with an ML capacity block' });
  }
}

function checkScalars(spec: Loose, issues: MachineClassIssue[]): void {
  const metadata = asObject(spec.instanceMetadataOptions);
  const hopLimit = metadata?.httpPutResponseHopLimit;
  if (typeof hopLimit === 'number' && (hopLimit < 0 || hopLimit > 64)) {
    issues.push({
      path: ['instanceMetadataOptions', 'httpPutResponseHopLimit'],
      message: 'must be between 0 and 64',
    });
  }
  const cpu = asObject(spec.cpuOptions);
  if (cpu) {
    if (cpu.coreCount === undefined)
      issues.push({ path: ['cpuOptions', 'coreCount'], message: 'is required' });
    if (cpu.threadsPerCore === undefined)
      issues.push({ path: ['cpuOptions', 'threadsPerCore'], message: 'is required' });
    else if (cpu.threadsPerCore !== 1 && cpu.threadsPerCore !== 2) {
      issues.push({ path: ['cpuOptions', 'threadsPerCore'], message: 'must be 1 or 2' });
    }
  }
  if (typeof spec.spotPrice === 'string' && spec.spotPrice !== '' && !/^\d+(\.\d+)?$/.test(spec.spotPrice)) {
    issues.push({ path: ['spotPrice'], message: 'must be empty (on-demand price cap) or a decimal price' });
  }
  const tags = asObject(spec.tags);
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.toLowerCase().startsWith('aws:'))
      issues.push({ path: ['tags', key], message: 'aws: tag keys are reserved' });
    if (key.length > 128)
      issues.push({ path: ['tags', key], message: 'tag keys are at most 128 characters' });
    if (typeof value === 'string' && value.length > 256) {
      issues.push({ path: ['tags', key], message: 'tag values are at most 256 characters' });
    }
  }
  if (tags && Object.keys(tags).length > 45) {
    issues.push({ path: ['tags'], message: 'at most 45 tags (EC2 allows 50, Trellis adds its own)' });
  }
}

function checkPlacement(spec: Loose, issues: MachineClassIssue[]): void {
  const placement = asObject(spec.placement);
  if (!placement) return;
  const tenancy = placement.tenancy;
  if (isSet(placement.hostId)) {
    if (tenancy !== 'host') issues.push({ path: ['placement', 'hostId'], message: 'needs tenancy: host' });
    if (typeof placement.hostId === 'string' && !placement.hostId.startsWith('h-')) {
      issues.push({ path: ['placement', 'hostId'], message: 'must be a dedicated host id (h-...)' });
    }
  }
  if (isSet(placement.affinity) && tenancy !== 'host') {
    issues.push({ path: ['placement', 'affinity'], message: 'needs tenancy: host' });
  }
  if (placement.affinity === 'host' && !isSet(placement.hostId)) {
    issues.push({ path: ['placement', 'hostId'], message: 'is required with affinity: host' });
  }
  if (placement.partitionNumber !== undefined && !isSet(placement.groupId)) {
    issues.push({ path: ['placement', 'partitionNumber'], message: 'needs a placement groupId' });
  }
  if (tenancy === 'host' && spec.spotPrice !== undefined) {
    issues.push({ path: ['spotPrice'], message: 'spot instances cannot run on dedicated hosts' });
  }
}

/**
 * Gardener's AWS machine class rules that span fields (the shape is checked by the zod schema).
 * Works on unvalidated input, so every problem is reported in one pass.
 */
export function checkAwsMachineClass(input: unknown): MachineClassIssue[] {
  const spec = asObject(input);
  if (!spec) return [];
  const issues: MachineClassIssue[] = [];
  checkIam(spec, issues);
  checkBlockDevices(spec, issues);
  checkNetworkInterfaces(spec, issues);
  checkCapacityReservation(spec, issues);
  checkScalars(spec, issues);
  checkPlacement(spec, issues);
  return issues;
}
