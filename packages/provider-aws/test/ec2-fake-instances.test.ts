import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
  paginateDescribeInstances,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';
import { ec2ClientFor, rejectionOf } from './ec2-fake-clients.js';

let fake: Ec2Fake;
let ec2: EC2Client;

beforeAll(async () => {
  fake = await startEc2Fake({ delays: { pendingMs: 20, shuttingDownMs: 20 } });
  ec2 = ec2ClientFor(fake);
});
afterAll(async () => {
  ec2?.destroy();
  await fake?.close();
});
beforeEach(() => fake.faults.clear());

const clusterTag = (cluster: string) => ({ Key: `kubernetes.io/cluster/${cluster}`, Value: '1' });

async function run(cluster: string, name: string, extra: Record<string, unknown> = {}) {
  const output = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0',
      InstanceType: 'm5.large',
      MinCount: 1,
      MaxCount: 1,
      UserData: Buffer.from(`#!/bin/sh\necho ${name}\n`).toString('base64'),
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }, clusterTag(cluster)] },
        { ResourceType: 'volume', Tags: [{ Key: 'Name', Value: `${name}-disk` }] },
      ],
      ...extra,
    }),
  );
  return output.Instances![0]!;
}

describe('EC2 fake: instances through @aws-sdk/client-ec2', () => {
  it('runs an instance that becomes running, carries its tags and user data, and terminates', async () => {
    const instance = await run('alpha', 'alpha-worker-1');
    expect(instance.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(instance.State?.Name).toBe('pending');
    expect(instance.Tags).toEqual(
      expect.arrayContaining([{ Key: 'Name', Value: 'alpha-worker-1' }, clusterTag('alpha')]),
    );
    expect(instance.Placement?.AvailabilityZone).toBe('eu-west-1a');

    const waited = await waitUntilInstanceRunning(
      { client: ec2, maxWaitTime: 10, minDelay: 1 },
      { InstanceIds: [instance.InstanceId!] },
    );
    expect(waited.state).toBe('SUCCESS');

    const inspected = fake.state.instance(instance.InstanceId!);
    expect(inspected?.userDataText).toBe('#!/bin/sh\necho alpha-worker-1\n');
    const rootVolume = inspected?.blockDevices[0]?.volumeId;
    expect(fake.state.tagsOf(rootVolume!)).toEqual({ Name: 'alpha-worker-1-disk' });
    const volumes = await ec2.send(
      new DescribeVolumesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [instance.InstanceId!] }],
      }),
    );
    expect(volumes.Volumes?.map((volume) => volume.VolumeId)).toEqual([rootVolume]);
    const networkInterfaceId = instance.NetworkInterfaces?.[0]?.NetworkInterfaceId;
    const interfaces = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId!] }),
    );
    expect(interfaces.NetworkInterfaces?.[0]?.Attachment?.InstanceId).toBe(instance.InstanceId);

    const terminated = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    expect(terminated.TerminatingInstances?.[0]).toMatchObject({
      PreviousState: { Name: 'running', Code: 16 },
      CurrentState: { Name: 'shutting-down', Code: 32 },
    });
    await waitUntilInstanceTerminated(
      { client: ec2, maxWaitTime: 10, minDelay: 1 },
      { InstanceIds: [instance.InstanceId!] },
    );
    // Terminated instances stay visible for a while, like EC2; their volumes are gone.
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('terminated');
    expect(fake.state.resources()).not.toContain(instance.InstanceId);
    expect(fake.state.resources()).not.toContain(rootVolume);
    expect(fake.state.resources()).not.toContain(networkInterfaceId);

    const again = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    expect(again.TerminatingInstances?.[0]?.CurrentState?.Name).toBe('terminated');
  });

  it('filters by tag, tag-key and state, and pages with MaxResults/NextToken', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 12; index += 1) ids.add((await run('paged', `paged-${index}`)).InstanceId!);
    await run('other', 'other-0');

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstances(
      { client: ec2, pageSize: 5 },
      {
        Filters: [
          { Name: 'tag:kubernetes.io/cluster/paged', Values: ['1'] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      },
    )) {
      pages += 1;
      for (const reservation of page.Reservations ?? [])
        for (const instance of reservation.Instances ?? []) seen.push(instance.InstanceId!);
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());

    const byKey = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/other'] }],
      }),
    );
    expect(byKey.Reservations?.flatMap((reservation) => reservation.Instances ?? [])).toHaveLength(1);

    const wildcard = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['paged-1*'] }] }),
    );
    expect(wildcard.Reservations?.flatMap((reservation) => reservation.Instances ?? [])).toHaveLength(3);

    expect((await rejectionOf(ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })))).name).toBe(
      'InvalidParameterValue',
    );
    expect(
      (
        await rejectionOf(
          ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })),
        )
      ).name,
    ).toBe('InvalidParameterValue');
  });

  it('answers missing and malformed ids with EC2 error codes', async () => {
    const missing = await rejectionOf(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    );
    expect(missing.name).toBe('InvalidInstanceID.NotFound');
    expect(missing.message).toContain('i-0123456789abcdef0');
    expect(missing.$metadata?.httpStatusCode).toBe(400);
    const malformed = await rejectionOf(
      ec2.send(new TerminateInstancesCommand({ InstanceIds: ['not-an-id'] })),
    );
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');
    const badAmi = await rejectionOf(
      ec2.send(new RunInstancesCommand({ ImageId: 'nope', MinCount: 1, MaxCount: 1 })),
    );
    expect(badAmi.name).toBe('InvalidAMIID.Malformed');
    const missingKey = await rejectionOf(run('x', 'x', { KeyName: 'no-such-key' }));
    expect(missingKey.name).toBe('InvalidKeyPair.NotFound');
  });

  it('honours ClientToken: same parameters return the same reservation, different ones mismatch', async () => {
    const first = await run('token', 'token-1', { ClientToken: 'token-1-abc' });
    const second = await run('token', 'token-1', { ClientToken: 'token-1-abc' });
    expect(second.InstanceId).toBe(first.InstanceId);
    expect(fake.state.instances().filter((instance) => instance.tags.Name === 'token-1')).toHaveLength(1);
    const mismatch = await rejectionOf(
      run('token', 'token-1', { ClientToken: 'token-1-abc', InstanceType: 'm5.xlarge' }),
    );
    expect(mismatch.name).toBe('IdempotentParameterMismatch');
  });

  it('holds and releases transitions in flight with setInstanceTransitionDelays', async () => {
    fake.setInstanceTransitionDelays({ pendingMs: 3_600_000 });
    try {
      const instance = await run('held', 'held-1');
      const held = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
      expect(held.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('pending');
      fake.setInstanceTransitionDelays({ pendingMs: 0 });
      const released = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
      expect(released.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('running');
    } finally {
      fake.setInstanceTransitionDelays({ pendingMs: 20 });
    }
  });

  it('describes images and modifies instance attributes', async () => {
    const images = await ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] }));
    expect(images.Images?.[0]).toMatchObject({
      ImageId: 'ami-0123456789abcdef0',
      RootDeviceName: '/dev/xvda',
      State: 'available',
    });
    expect((await rejectionOf(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-x'] })))).name).toBe(
      'InvalidAMIID.Malformed',
    );

    const instance = await run('attributes', 'attributes-1');
    expect(instance.SourceDestCheck).toBe(true);
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instance.InstanceId,
        SourceDestCheck: { Value: false },
      }),
    );
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.SourceDestCheck).toBe(false);
  });

  it('only knows the configured images when a catalog is given', async () => {
    const strict = await startEc2Fake({ images: [{ imageId: 'ami-11111111', rootDeviceName: '/dev/sda1' }] });
    const client = ec2ClientFor(strict);
    try {
      const launched = await client.send(
        new RunInstancesCommand({ ImageId: 'ami-11111111', MinCount: 1, MaxCount: 1 }),
      );
      expect(launched.Instances?.[0]?.RootDeviceName).toBe('/dev/sda1');
      const unknown = await rejectionOf(
        client.send(new RunInstancesCommand({ ImageId: 'ami-22222222', MinCount: 1, MaxCount: 1 })),
      );
      expect(unknown.name).toBe('InvalidAMIID.NotFound');
    } finally {
      client.destroy();
      await strict.close();
    }
  });

  it('creates, lists and deletes tags on instances', async () => {
    const instance = await run('tags', 'tags-1');
    await ec2.send(
      new CreateTagsCommand({ Resources: [instance.InstanceId!], Tags: [{ Key: 'team', Value: 'blue' }] }),
    );
    const listed = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [instance.InstanceId!] }] }),
    );
    expect(listed.Tags?.map((tag) => tag.Key).sort()).toEqual(['Name', 'kubernetes.io/cluster/tags', 'team']);
    expect(listed.Tags?.[0]?.ResourceType).toBe('instance');
    await ec2.send(new DeleteTagsCommand({ Resources: [instance.InstanceId!], Tags: [{ Key: 'team' }] }));
    expect(fake.state.tagsOf(instance.InstanceId!)).not.toHaveProperty('team');
    const unknown = await rejectionOf(
      ec2.send(
        new CreateTagsCommand({ Resources: ['i-00000000000000000'], Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    );
    expect(unknown.name).toBe('InvalidInstanceID.NotFound');
  });
});
