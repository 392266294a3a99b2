import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';
import { ec2ClientFor } from './ec2-fake-clients.js';

const AWS_CLI = '/usr/bin/aws';
const cliMissing = !existsSync(AWS_CLI);
if (cliMissing) {
  console.warn(
    `\n!!! ${AWS_CLI} is missing: the aws CLI cross-check of the EC2 fake is SKIPPED (apt-get install awscli) !!!\n`,
  );
}

const run = promisify(execFile);
// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output is checked by the assertions themselves
type CliJson = Record<string, any>;
let fake: Ec2Fake;

async function aws(...args: string[]): Promise<CliJson> {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', fake.url, '--output', 'json', ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      AWS_ACCESS_KEY_ID: 'AKIDFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_DEFAULT_REGION: 'eu-central-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    },
    timeout: 60_000,
  });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as CliJson);
}

describe.skipIf(cliMissing)('EC2 fake: the real aws CLI', () => {
  beforeAll(async () => {
    fake = await startEc2Fake({ delays: { pendingMs: 0, shuttingDownMs: 0 } });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('runs, describes and terminates instances in a VPC subnet', async () => {
    // Set up through the SDK: every CLI start costs seconds on a busy machine.
    const ec2 = ec2ClientFor(fake, { region: 'eu-central-1' });
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (
      await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: '10.9.1.0/24',
          AvailabilityZone: 'eu-central-1b',
        }),
      )
    ).Subnet!.SubnetId!;
    ec2.destroy();

    const vpcs = await aws('ec2', 'describe-vpcs', '--vpc-ids', vpcId);
    expect(vpcs.Vpcs[0]).toMatchObject({ VpcId: vpcId, CidrBlock: '10.9.0.0/16', State: 'available' });
    const subnets = await aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpcId}`);
    expect(subnets.Subnets).toHaveLength(1);
    expect(subnets.Subnets[0]).toMatchObject({
      SubnetId: subnetId,
      AvailabilityZone: 'eu-central-1b',
      CidrBlock: '10.9.1.0/24',
    });

    const launched = await aws(
      'ec2',
      'run-instances',
      '--image-id',
      'ami-0123456789abcdef0',
      '--instance-type',
      't3.micro',
      '--count',
      '2',
      '--subnet-id',
      subnetId,
      '--user-data',
      '#!/bin/sh\necho hello\n',
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=Name,Value=cli-node}]',
    );
    const ids = (launched.Instances as Array<{ InstanceId: string }>).map((instance) => instance.InstanceId);
    expect(ids).toHaveLength(2);
    expect(launched.Instances[0]).toMatchObject({
      State: { Name: 'pending', Code: 0 },
      SubnetId: subnetId,
      VpcId: vpcId,
    });
    expect(fake.state.instance(ids[0]!)?.userDataText).toBe('#!/bin/sh\necho hello\n');

    const described = await aws('ec2', 'describe-instances', '--filters', 'Name=tag:Name,Values=cli-node');
    const instances = described.Reservations.flatMap(
      (reservation: { Instances: unknown[] }) => reservation.Instances,
    );
    expect(instances.map((instance: { InstanceId: string }) => instance.InstanceId).sort()).toEqual(
      [...ids].sort(),
    );
    expect(instances[0].Tags).toEqual([{ Key: 'Name', Value: 'cli-node' }]);
    expect(instances[0].State.Name).toBe('running');

    const terminated = await aws('ec2', 'terminate-instances', '--instance-ids', ...ids);
    expect(
      terminated.TerminatingInstances.map(
        (item: { CurrentState: { Name: string } }) => item.CurrentState.Name,
      ),
    ).toEqual(['shutting-down', 'shutting-down']);
    expect(fake.state.instance(ids[0]!)?.state).toBe('terminated');
  }, 240_000);

  it('surfaces EC2 error codes to the CLI', async () => {
    const failure = await run(
      AWS_CLI,
      ['--endpoint-url', fake.url, 'ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0'],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          AWS_ACCESS_KEY_ID: 'AKIDFAKE',
          AWS_SECRET_ACCESS_KEY: 'fake-secret',
          AWS_DEFAULT_REGION: 'eu-central-1',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
        },
      },
    ).then(
      () => undefined,
      (error: { stderr: string }) => error.stderr,
    );
    expect(failure).toContain('InvalidInstanceID.NotFound');
  }, 120_000);
});
