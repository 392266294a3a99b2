import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { MachineProvider } from '@trellis/core';
import type { MachineConformanceSubject } from '@trellis/testkit';
import { afterAll, beforeAll } from 'vitest';
import {
  type AwsMachineClass,
  type AwsProviderSettings,
  createAwsMachineProvider,
  createAwsProvider,
  createAwsProviderContext,
} from '../src/index.js';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';

/** Dummy keys: the fake checks the signature's shape, never the secret. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTRELLISFAKE', secretAccessKey: 'trellis-fake-secret' };
export const REGION = 'eu-west-1';

/** An EC2 client on the fake, for arranging and inspecting from tests. */
export function fakeEc2Client(fake: Ec2Fake): EC2Client {
  return new EC2Client({ endpoint: fake.url, region: REGION, credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
}

/** Creates the VPC, subnet and security group machines launch into; returns a valid machine class. */
export async function arrangeNetwork(client: EC2Client): Promise<AwsMachineClass> {
  const vpc = await client.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnet = await client.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/17', AvailabilityZone: `${REGION}a` }),
  );
  const group = await client.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'nodes', Description: 'nodes' }),
  );
  return {
    ami: 'ami-0123456789abcdef0',
    machineType: 'm5.large',
    region: REGION,
    iam: { name: 'nodes' },
    networkInterfaces: [{ subnetID: subnet.Subnet!.SubnetId!, securityGroupIDs: [group.GroupId!] }],
  };
}

/** VMs the fake holds for a cluster (and name) that are not shutting down or terminated. */
export function liveVms(fake: Ec2Fake, cluster: string, name?: string): number {
  return fake.state
    .instances()
    .filter((instance) => instance.state !== 'shutting-down' && instance.state !== 'terminated')
    .filter((instance) => instance.tags[`kubernetes.io/cluster/${cluster}`] !== undefined)
    .filter((instance) => name === undefined || instance.tags.Name === name).length;
}

/** Starts a fake with the network machines launch into; returns it and a valid machine class. */
export async function startMachineFake(): Promise<{ fake: Ec2Fake; spec: AwsMachineClass }> {
  const fake = await startEc2Fake({ region: REGION });
  const client = fakeEc2Client(fake);
  try {
    return { fake, spec: await arrangeNetwork(client) };
  } finally {
    client.destroy();
  }
}

/** The fake of {@link useMachineFake}; read it only inside tests. */
export interface MachineFake {
  readonly fake: Ec2Fake;
  /** A valid machine class on the fake's network. */
  readonly spec: AwsMachineClass;
  /** A machine provider on the fake, with its own provider context (closed in afterAll). */
  machines(settings?: Partial<AwsProviderSettings>): MachineProvider<AwsMachineClass>;
}

/**
 * Starts a fake with the network machines launch into in beforeAll, and closes it and every
 * provider context `machines()` made in afterAll. Call it at the top level of a test file.
 */
export function useMachineFake(): MachineFake {
  let started: { fake: Ec2Fake; spec: AwsMachineClass } | undefined;
  const contexts: Array<ReturnType<typeof createAwsProviderContext>> = [];
  beforeAll(async () => {
    started = await startMachineFake();
  });
  afterAll(async () => {
    for (const context of contexts) context.clients.destroy();
    await started?.fake.close();
  });
  const current = () => {
    if (!started) throw new Error('the EC2 fake is not started (use it inside a test)');
    return started;
  };
  return {
    get fake() {
      return current().fake;
    },
    get spec() {
      return current().spec;
    },
    machines(settings = {}) {
      const context = createAwsProviderContext({
        region: REGION,
        endpoint: current().fake.url,
        credentials: FAKE_CREDENTIALS,
        ...settings,
      });
      contexts.push(context);
      return createAwsMachineProvider(context);
    },
  };
}

/** Starts a fake and builds the machine conformance subject on it. */
export async function machineSubject(
  settings: Partial<AwsProviderSettings> = {},
  options: { faults?: (fake: Ec2Fake) => void } = {},
): Promise<MachineConformanceSubject<AwsMachineClass> & { fake: Ec2Fake }> {
  const { fake, spec } = await startMachineFake();
  const expectFaults = options.faults !== undefined;
  options.faults?.(fake);
  const aws = createAwsProvider({
    region: REGION,
    endpoint: fake.url,
    credentials: FAKE_CREDENTIALS,
    listPageSize: 5,
    ...settings,
  });
  return {
    fake,
    provider: aws.machines,
    spec,
    invalidSpecs: [
      { spec: { ...spec, ami: '' }, path: 'ami' },
      { spec: { ...spec, iam: { name: 'a', arn: 'arn:aws:iam::1:instance-profile/b' } }, path: 'iam' },
      { spec: { ...spec, networkInterfaces: [] }, path: 'networkInterfaces' },
      {
        spec: {
          ...spec,
          blockDevices: [{ deviceName: '/root', ebs: { volumeSize: 10, volumeType: 'io1' } }],
        },
        path: 'blockDevices[0].ebs.iops',
      },
      {
        spec: { ...spec, instanceMetadataOptions: { httpPutResponseHopLimit: 65 } },
        path: 'instanceMetadataOptions.httpPutResponseHopLimit',
      },
      {
        spec: { ...spec, cpuOptions: { coreCount: 2, threadsPerCore: 3 } },
        path: 'cpuOptions.threadsPerCore',
      },
      { spec: { ...spec, region: 'us-east-1' }, path: 'region' },
    ],
    countVms: async (cluster, name) => liveVms(fake, cluster, name),
    callCount: () => fake.calls.count(),
    cleanup: async () => {
      await aws.close();
      const injected = fake.calls.entries.filter((entry) => entry.fault !== undefined).length;
      await fake.close();
      if (expectFaults && injected === 0)
        throw new Error('the suite ran with faults configured, but none was injected');
    },
  };
}
