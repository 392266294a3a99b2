import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';
import { ec2ClientFor, iamClientFor, rejectionOf } from './ec2-fake-clients.js';

let fake: Ec2Fake;
let iam: IAMClient;

beforeAll(async () => {
  fake = await startEc2Fake();
  iam = iamClientFor(fake);
});
afterAll(async () => {
  iam?.destroy();
  await fake?.close();
});

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: '*' }],
});

describe('EC2 fake: IAM through @aws-sdk/client-iam', () => {
  it('creates a role with an inline policy and an instance profile, and deletes them in order', async () => {
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: 'shoot--a-nodes', AssumeRolePolicyDocument: trust }),
    );
    expect(created.Role?.Arn).toBe('arn:aws:iam::123456789012:role/shoot--a-nodes');
    expect(decodeURIComponent(created.Role!.AssumeRolePolicyDocument!)).toBe(trust);
    expect(
      (
        await rejectionOf(
          iam.send(new CreateRoleCommand({ RoleName: 'shoot--a-nodes', AssumeRolePolicyDocument: trust })),
        )
      ).name,
    ).toBe('EntityAlreadyExistsException');
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'shoot--a-nodes', PolicyName: 'nodes', PolicyDocument: policy }),
    );
    const stored = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'shoot--a-nodes', PolicyName: 'nodes' }),
    );
    expect(decodeURIComponent(stored.PolicyDocument!)).toBe(policy);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'shoot--a-nodes' }))).PolicyNames).toEqual(
      ['nodes'],
    );

    const profile = await iam.send(
      new CreateInstanceProfileCommand({ InstanceProfileName: 'shoot--a-nodes' }),
    );
    expect(profile.InstanceProfile?.Arn).toBe('arn:aws:iam::123456789012:instance-profile/shoot--a-nodes');
    await iam.send(
      new AddRoleToInstanceProfileCommand({
        InstanceProfileName: 'shoot--a-nodes',
        RoleName: 'shoot--a-nodes',
      }),
    );
    const fetched = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'shoot--a-nodes' }));
    expect(fetched.InstanceProfile?.Roles?.map((role) => role.RoleName)).toEqual(['shoot--a-nodes']);

    // An instance launched with the profile reports its ARN.
    const ec2 = ec2ClientFor(fake);
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: 1,
        MaxCount: 1,
        IamInstanceProfile: { Name: 'shoot--a-nodes' },
      }),
    );
    expect(run.Instances?.[0]?.IamInstanceProfile?.Arn).toBe(profile.InstanceProfile?.Arn);
    ec2.destroy();

    const conflict = await rejectionOf(iam.send(new DeleteRoleCommand({ RoleName: 'shoot--a-nodes' })));
    expect(conflict.name).toBe('DeleteConflictException');
    expect(conflict.$metadata?.httpStatusCode).toBe(409);
    expect(
      (
        await rejectionOf(
          iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'shoot--a-nodes' })),
        )
      ).name,
    ).toBe('DeleteConflictException');
    await iam.send(
      new RemoveRoleFromInstanceProfileCommand({
        InstanceProfileName: 'shoot--a-nodes',
        RoleName: 'shoot--a-nodes',
      }),
    );
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'shoot--a-nodes' }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'shoot--a-nodes', PolicyName: 'nodes' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'shoot--a-nodes' }));

    const missing = await rejectionOf(iam.send(new GetRoleCommand({ RoleName: 'shoot--a-nodes' })));
    expect(missing.name).toBe('NoSuchEntityException');
    expect(missing.$metadata?.httpStatusCode).toBe(404);
    expect(fake.state.roles()).toEqual([]);
  });

  it('rejects a malformed policy document', async () => {
    const error = await rejectionOf(
      iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{nope' })),
    );
    expect(error.name).toBe('MalformedPolicyDocumentException');
  });
});
