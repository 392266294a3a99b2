import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsMachineClass, type AwsProvider, createAwsProvider } from '../src/index.js';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';
import { arrangeNetwork, FAKE_CREDENTIALS, fakeEc2Client, REGION } from './aws-machine-harness.js';

const AMI = 'ami-0aaaaaaaaaaaaaaaa';
let fake: Ec2Fake;
let network: AwsMachineClass;
let aws: AwsProvider;

beforeAll(async () => {
  fake = await startEc2Fake({ region: REGION, images: [{ imageId: AMI, rootDeviceName: '/dev/sda1' }] });
  const client = fakeEc2Client(fake);
  network = { ...(await arrangeNetwork(client)), ami: AMI };
  client.destroy();
  aws = createAwsProvider({ region: REGION, endpoint: fake.url, credentials: FAKE_CREDENTIALS });
});

afterAll(async () => {
  await aws.close();
  await fake.close();
});

const instanceOf = (providerId: string) => fake.state.instance(providerId.split('/').at(-1)!)!;

describe('AWS machine launch details', () => {
  it("maps Gardener's /root disk to the AMI's root device, asking the AMI once", async () => {
    const spec: AwsMachineClass = {
      ...network,
      ami: AMI,
      blockDevices: [
        { deviceName: '/root', ebs: { volumeSize: 50, volumeType: 'gp3', throughput: 250 } },
        {
          deviceName: '/dev/sdf',
          ebs: { volumeSize: 200, volumeType: 'io2', iops: 4000, deleteOnTermination: false },
        },
      ],
    };
    const before = fake.calls.count('DescribeImages');
    const [first, second] = await Promise.all([
      aws.machines.createMachine({ cluster: 'disks', name: 'worker-0', spec }),
      aws.machines.createMachine({ cluster: 'disks', name: 'worker-1', spec }),
    ]);
    expect(fake.calls.count('DescribeImages') - before).toBe(1);
    for (const machine of [first!, second!]) {
      const devices = instanceOf(machine.providerId).blockDevices;
      expect(devices.map((device) => [device.deviceName, device.volumeSize, device.volumeType])).toEqual([
        ['/dev/sda1', 50, 'gp3'],
        ['/dev/sdf', 200, 'io2'],
      ]);
      expect(devices.every((device) => device.encrypted)).toBe(true);
      expect(devices.find((device) => device.deviceName === '/dev/sdf')?.deleteOnTermination).toBe(false);
    }
  });

  it('turns source/destination checks off when the machine class says so', async () => {
    const routing = await aws.machines.createMachine({
      cluster: 'routing',
      name: 'router-0',
      spec: { ...network, srcAndDstChecksEnabled: false },
    });
    const plain = await aws.machines.createMachine({ cluster: 'routing', name: 'worker-0', spec: network });
    expect(instanceOf(routing.providerId).sourceDestCheck).toBe(false);
    expect(instanceOf(plain.providerId).sourceDestCheck).toBe(true);
  });

  it('launches with the instance profile, metadata options, tags and user data of the request', async () => {
    const machine = await aws.machines.createMachine({
      cluster: 'details',
      name: 'worker-0',
      spec: {
        ...network,
        iam: { name: 'nodes' },
        tags: { team: 'platform' },
        instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
      },
      userData: '#cloud-config\n',
      tags: { pool: 'a' },
    });
    const instance = instanceOf(machine.providerId);
    expect(instance.iamInstanceProfile?.arn).toMatch(/instance-profile\/nodes$/);
    expect(instance.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 2 });
    expect(instance.userDataText).toBe('#cloud-config\n');
    expect(instance.tags).toMatchObject({
      team: 'platform',
      pool: 'a',
      Name: 'worker-0',
      'kubernetes.io/cluster/details': '1',
      'kubernetes.io/role/node': '1',
    });
    const volumes = fake.state
      .volumes()
      .filter((volume) => instance.blockDevices.some((device) => device.volumeId === volume.volumeId));
    expect(volumes.length).toBeGreaterThan(0);
    for (const volume of volumes) expect(volume.tags['kubernetes.io/cluster/details']).toBe('1');
    expect(machine.addresses.some((address) => address.type === 'InternalIP')).toBe(true);
    expect(machine.zone).toBe(`${REGION}a`);
    expect(machine.providerId).toBe(`aws:///${REGION}a/${instance.instanceId}`);
  });
});
