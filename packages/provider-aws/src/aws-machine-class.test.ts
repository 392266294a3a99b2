import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { awsMachineClass } from './aws-machine-class.js';

const valid = {
  ami: 'ami-0123456789abcdef0',
  machineType: 'm5.large',
  region: 'eu-west-1',
  iam: { name: 'nodes' },
  networkInterfaces: [{ subnetID: 'subnet-1', securityGroupIDs: ['sg-1'] }],
  blockDevices: [{ deviceName: '/root', ebs: { volumeSize: 50, volumeType: 'gp3' } }],
};

function pathsOf(input: unknown): string[] {
  const result = awsMachineClass.validate(input);
  return result.success ? [] : result.issues.map((issue) => issue.path);
}

function withChange(change: (spec: Record<string, unknown>) => void): unknown {
  const spec = structuredClone(valid) as Record<string, unknown>;
  change(spec);
  return spec;
}

describe('AWS machine class', () => {
  it('accepts a minimal valid spec and a full one', () => {
    expect(pathsOf(valid)).toEqual([]);
    const full = withChange((spec) => {
      spec.iam = { arn: 'arn:aws:iam::123456789012:instance-profile/nodes' };
      spec.blockDevices = [
        {
          deviceName: '/root',
          ebs: { volumeSize: 50, volumeType: 'gp3', iops: 4000, throughput: 250, encrypted: true },
        },
        {
          deviceName: '/dev/sdf',
          ebs: { volumeSize: 200, volumeType: 'io2', iops: 5000, kmsKeyID: 'alias/k' },
        },
        { deviceName: '/dev/xvdb', ebs: { volumeSize: 500, volumeType: 'st1', deleteOnTermination: false } },
      ];
      spec.networkInterfaces = [
        {
          subnetID: 'subnet-1',
          securityGroupIDs: ['sg-1', 'sg-2'],
          associatePublicIPAddress: true,
          ipv6AddressCount: 1,
        },
      ];
      spec.keyName = 'ssh';
      spec.tags = { team: 'a' };
      spec.spotPrice = '';
      spec.instanceMetadataOptions = {
        httpTokens: 'required',
        httpPutResponseHopLimit: 2,
        httpEndpoint: 'enabled',
      };
      spec.cpuOptions = { coreCount: 2, threadsPerCore: 1 };
      spec.placement = { availabilityZone: 'eu-west-1a', tenancy: 'dedicated' };
      spec.capacityReservation = { capacityReservationPreference: 'open' };
      spec.srcAndDstChecksEnabled = false;
    });
    expect(pathsOf(full)).toEqual([]);
  });

  it('accepts a single disk without a device name (Gardener compatibility)', () => {
    expect(pathsOf(withChange((spec) => (spec.blockDevices = [{ ebs: { volumeSize: 20 } }])))).toEqual([]);
  });

  it('reports every missing required field at once', () => {
    const paths = pathsOf({});
    expect(paths).toEqual(
      expect.arrayContaining(['ami', 'machineType', 'region', 'iam', 'networkInterfaces']),
    );
  });

  it.each([
    [
      'both iam name and arn',
      (s: Record<string, unknown>) => (s.iam = { name: 'a', arn: 'arn:aws:iam::1:x' }),
      'iam',
    ],
    ['neither iam name nor arn', (s: Record<string, unknown>) => (s.iam = {}), 'iam'],
    ['an iam arn that is no ARN', (s: Record<string, unknown>) => (s.iam = { arn: 'nodes' }), 'iam.arn'],
    [
      'an unknown volume type',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 5, volumeType: 'gp9' } }]),
      'blockDevices[0].ebs.volumeType',
    ],
    [
      'io1 without iops',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 50, volumeType: 'io1' } }]),
      'blockDevices[0].ebs.iops',
    ],
    [
      'io2 without iops',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 50, volumeType: 'io2' } }]),
      'blockDevices[0].ebs.iops',
    ],
    [
      'iops on gp2',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 50, volumeType: 'gp2', iops: 300 } }]),
      'blockDevices[0].ebs.iops',
    ],
    [
      'throughput on io1',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [
          { deviceName: '/root', ebs: { volumeSize: 50, volumeType: 'io1', iops: 100, throughput: 200 } },
        ]),
      'blockDevices[0].ebs.throughput',
    ],
    [
      'gp3 throughput out of range',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 50, throughput: 100 } }]),
      'blockDevices[0].ebs.throughput',
    ],
    [
      'an st1 disk below 125 GiB',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 100, volumeType: 'st1' } }]),
      'blockDevices[0].ebs.volumeSize',
    ],
    [
      'a standard disk above 1 TiB',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 2000, volumeType: 'standard' } }]),
      'blockDevices[0].ebs.volumeSize',
    ],
    [
      'an io1 disk below 4 GiB',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 2, volumeType: 'io1', iops: 100 } }]),
      'blockDevices[0].ebs.volumeSize',
    ],
    [
      'a disk without size or snapshot',
      (s: Record<string, unknown>) => (s.blockDevices = [{ deviceName: '/root', ebs: {} }]),
      'blockDevices[0].ebs.volumeSize',
    ],
    [
      'a negative volume size',
      (s: Record<string, unknown>) => (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: -1 } }]),
      'blockDevices[0].ebs.volumeSize',
    ],
    [
      'a KMS key on an unencrypted disk',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 5, encrypted: false, kmsKeyID: 'k' } }]),
      'blockDevices[0].ebs.kmsKeyID',
    ],
    [
      'two root disks',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [
          { deviceName: '/root', ebs: { volumeSize: 5 } },
          { deviceName: '/root', ebs: { volumeSize: 5 } },
        ]),
      'blockDevices',
    ],
    [
      'no root disk among several',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [
          { deviceName: '/dev/sdb', ebs: { volumeSize: 5 } },
          { deviceName: '/dev/sdc', ebs: { volumeSize: 5 } },
        ]),
      'blockDevices',
    ],
    [
      'a bad data device name',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [
          { deviceName: '/root', ebs: { volumeSize: 5 } },
          { deviceName: '/dev/hda', ebs: { volumeSize: 5 } },
        ]),
      'blockDevices[1].deviceName',
    ],
    [
      'a duplicated device name',
      (s: Record<string, unknown>) =>
        (s.blockDevices = [
          { deviceName: '/root', ebs: { volumeSize: 5 } },
          { deviceName: '/dev/sdb', ebs: { volumeSize: 5 } },
          { deviceName: '/dev/sdb', ebs: { volumeSize: 5 } },
        ]),
      'blockDevices',
    ],
    ['no network interface', (s: Record<string, unknown>) => (s.networkInterfaces = []), 'networkInterfaces'],
    [
      'an interface without subnet',
      (s: Record<string, unknown>) => (s.networkInterfaces = [{ securityGroupIDs: ['sg-1'] }]),
      'networkInterfaces[0].subnetID',
    ],
    [
      'an interface without security group',
      (s: Record<string, unknown>) => (s.networkInterfaces = [{ subnetID: 'subnet-1' }]),
      'networkInterfaces[0].securityGroupIDs',
    ],
    [
      'a blank security group',
      (s: Record<string, unknown>) =>
        (s.networkInterfaces = [{ subnetID: 'subnet-1', securityGroupIDs: [''] }]),
      'networkInterfaces[0].securityGroupIDs[0]',
    ],
    [
      'a public IP with two interfaces',
      (s: Record<string, unknown>) =>
        (s.networkInterfaces = [
          { subnetID: 'subnet-1', securityGroupIDs: ['sg'], associatePublicIPAddress: true },
          { subnetID: 'subnet-2', securityGroupIDs: ['sg'] },
        ]),
      'networkInterfaces[0].associatePublicIPAddress',
    ],
    [
      'a hop limit above 64',
      (s: Record<string, unknown>) => (s.instanceMetadataOptions = { httpPutResponseHopLimit: 65 }),
      'instanceMetadataOptions.httpPutResponseHopLimit',
    ],
    [
      'a negative hop limit',
      (s: Record<string, unknown>) => (s.instanceMetadataOptions = { httpPutResponseHopLimit: -1 }),
      'instanceMetadataOptions.httpPutResponseHopLimit',
    ],
    [
      'an unknown httpTokens',
      (s: Record<string, unknown>) => (s.instanceMetadataOptions = { httpTokens: 'sometimes' }),
      'instanceMetadataOptions.httpTokens',
    ],
    [
      'an unknown httpEndpoint',
      (s: Record<string, unknown>) => (s.instanceMetadataOptions = { httpEndpoint: 'on' }),
      'instanceMetadataOptions.httpEndpoint',
    ],
    [
      'three threads per core',
      (s: Record<string, unknown>) => (s.cpuOptions = { coreCount: 2, threadsPerCore: 3 }),
      'cpuOptions.threadsPerCore',
    ],
    [
      'threads per core without core count',
      (s: Record<string, unknown>) => (s.cpuOptions = { threadsPerCore: 1 }),
      'cpuOptions.coreCount',
    ],
    [
      'core count without threads per core',
      (s: Record<string, unknown>) => (s.cpuOptions = { coreCount: 2 }),
      'cpuOptions.threadsPerCore',
    ],
    [
      'an unknown tenancy',
      (s: Record<string, unknown>) => (s.placement = { tenancy: 'shared' }),
      'placement.tenancy',
    ],
    [
      'a host id without host tenancy',
      (s: Record<string, unknown>) => (s.placement = { tenancy: 'dedicated', hostId: 'h-1' }),
      'placement.hostId',
    ],
    [
      'a host id that is no host id',
      (s: Record<string, unknown>) => (s.placement = { tenancy: 'host', hostId: 'i-1' }),
      'placement.hostId',
    ],
    [
      'host affinity without a host',
      (s: Record<string, unknown>) => (s.placement = { tenancy: 'host', affinity: 'host' }),
      'placement.hostId',
    ],
    [
      'affinity without host tenancy',
      (s: Record<string, unknown>) => (s.placement = { affinity: 'default' }),
      'placement.affinity',
    ],
    [
      'a partition without a group',
      (s: Record<string, unknown>) => (s.placement = { partitionNumber: 2 }),
      'placement.partitionNumber',
    ],
    [
      'spot on a dedicated host',
      (s: Record<string, unknown>) => {
        s.spotPrice = '0.1';
        s.placement = { tenancy: 'host', hostId: 'h-1' };
      },
      'spotPrice',
    ],
    ['a spot price that is no number', (s: Record<string, unknown>) => (s.spotPrice = 'cheap'), 'spotPrice'],
    [
      'a reservation preference with an id',
      (s: Record<string, unknown>) =>
        (s.capacityReservation = { capacityReservationPreference: 'open', capacityReservationId: 'cr-1' }),
      'capacityReservation',
    ],
    [
      'a reservation id and a group',
      (s: Record<string, unknown>) =>
        (s.capacityReservation = {
          capacityReservationId: 'cr-1',
          capacityReservationResourceGroupArn: 'arn:x',
        }),
      'capacityReservation',
    ],
    [
      'a reserved tag key',
      (s: Record<string, unknown>) => (s.tags = { 'aws:owner': 'me' }),
      'tags.aws:owner',
    ],
    ['an unknown field', (s: Record<string, unknown>) => (s.instanceType = 'm5.large'), ''],
  ])('rejects %s at its path', (_title, change, path) => {
    expect(pathsOf(withChange(change))).toContain(path);
  });

  it('reports problems of several fields together', () => {
    const paths = pathsOf(
      withChange((spec) => {
        spec.iam = {};
        spec.cpuOptions = { coreCount: 1, threadsPerCore: 4 };
        spec.blockDevices = [{ deviceName: '/root', ebs: { volumeSize: 5, volumeType: 'io1' } }];
      }),
    );
    expect(paths).toEqual(
      expect.arrayContaining(['iam', 'cpuOptions.threadsPerCore', 'blockDevices[0].ebs.iops']),
    );
  });

  it('parse throws InvalidArgument listing the issues', () => {
    try {
      awsMachineClass.parse(withChange((spec) => (spec.networkInterfaces = [])));
      expect.unreachable();
    } catch (error) {
      expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
      expect((error as TrellisError).issues.map((issue) => issue.path)).toContain('networkInterfaces');
    }
  });

  it('exports a JSON Schema naming the fields', () => {
    const schema = awsMachineClass.toJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['ami', 'blockDevices', 'placement']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['ami', 'machineType', 'region']));
  });
});
