import { describe, expect, it } from 'vitest';
import { awsMachineClass } from './aws-machine-class.js';
import { machineClientToken, needsRootDeviceName, runInstancesInput } from './aws-machine-run-request.js';

const spec = awsMachineClass.parse({
  ami: 'ami-0123456789abcdef0',
  machineType: 'm5.large',
  region: 'eu-west-1',
  iam: { name: 'nodes' },
  networkInterfaces: [{ subnetID: 'subnet-1', securityGroupIDs: ['sg-1'], associatePublicIPAddress: true }],
  blockDevices: [
    { deviceName: '/root', ebs: { volumeSize: 50 } },
    {
      deviceName: '/dev/sdf',
      ebs: { volumeSize: 100, volumeType: 'io1', iops: 1000, deleteOnTermination: false },
    },
  ],
  tags: { team: 'a', Name: 'spoofed' },
  spotPrice: '',
  instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
});

describe('machineClientToken', () => {
  it('is stable, at most 64 characters, and differs per cluster, name and earlier VM', () => {
    const token = machineClientToken('c', 'worker-0');
    expect(token).toBe(machineClientToken('c', 'worker-0'));
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).not.toBe(machineClientToken('c', 'worker-1'));
    expect(token).not.toBe(machineClientToken('d', 'worker-0'));
    expect(token).not.toBe(machineClientToken('c', 'worker-0', 'i-1'));
  });
});

describe('runInstancesInput', () => {
  const input = runInstancesInput({
    cluster: 'shoot-1',
    name: 'worker-0',
    spec,
    clientToken: 'token',
    userData: '#!/bin/sh\necho hi',
    tags: { extra: 'x' },
    rootDeviceName: '/dev/xvda',
  });

  it('launches one instance with the token and base64 user data', () => {
    expect(input).toMatchObject({
      ImageId: spec.ami,
      InstanceType: 'm5.large',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'token',
    });
    expect(Buffer.from(input.UserData!, 'base64').toString()).toBe('#!/bin/sh\necho hi');
    expect(input.IamInstanceProfile).toEqual({ Name: 'nodes' });
  });

  it('tags instance, volumes and network interfaces with ownership tags that win over spec tags', () => {
    expect(input.TagSpecifications?.map((specification) => specification.ResourceType)).toEqual([
      'instance',
      'volume',
      'network-interface',
    ]);
    const tags = Object.fromEntries(input.TagSpecifications![0]!.Tags!.map((tag) => [tag.Key, tag.Value]));
    expect(tags).toEqual({
      team: 'a',
      extra: 'x',
      Name: 'worker-0',
      'kubernetes.io/cluster/shoot-1': '1',
      'kubernetes.io/role/node': '1',
    });
  });

  it('maps /root to the AMI root device and keeps disk settings', () => {
    expect(needsRootDeviceName(spec)).toBe(true);
    expect(input.BlockDeviceMappings).toEqual([
      {
        DeviceName: '/dev/xvda',
        Ebs: { VolumeSize: 50, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
      },
      {
        DeviceName: '/dev/sdf',
        Ebs: { VolumeSize: 100, VolumeType: 'io1', Iops: 1000, Encrypted: true, DeleteOnTermination: false },
      },
    ]);
  });

  it('maps interfaces, spot and metadata options', () => {
    expect(input.NetworkInterfaces).toEqual([
      {
        DeviceIndex: 0,
        SubnetId: 'subnet-1',
        Groups: ['sg-1'],
        AssociatePublicIpAddress: true,
        DeleteOnTermination: true,
      },
    ]);
    expect(input.InstanceMarketOptions).toEqual({
      MarketType: 'spot',
      SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' },
    });
    expect(input.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
  });
});
