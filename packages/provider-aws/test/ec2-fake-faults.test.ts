import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  type EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';
import { ec2ClientFor, iamClientFor, rejectionOf } from './ec2-fake-clients.js';

let fake: Ec2Fake;
let ec2: EC2Client;

beforeAll(async () => {
  fake = await startEc2Fake({ seed: 42 });
  ec2 = ec2ClientFor(fake);
});
afterAll(async () => {
  ec2?.destroy();
  await fake?.close();
});
afterEach(() => fake.faults.clear());

const zones = () => ec2.send(new DescribeAvailabilityZonesCommand({}));
const launch = (clientToken: string, client = ec2) =>
  client.send(
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: clientToken,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: clientToken }] }],
    }),
  );

describe('EC2 fake: fault injection seen through @aws-sdk/client-ec2', () => {
  it('renders throttling as RequestLimitExceeded with HTTP 503, and the SDK retries it', async () => {
    fake.faults.add({ kind: 'throttle', actions: ['DescribeAvailabilityZones'], times: 1 });
    const error = await rejectionOf(zones());
    expect(error.name).toBe('RequestLimitExceeded');
    expect(error.$metadata?.httpStatusCode).toBe(503);

    fake.faults.add({ kind: 'throttle', actions: ['DescribeAvailabilityZones'], times: 1 });
    const retrying = ec2ClientFor(fake, { maxAttempts: 3 });
    fake.calls.reset();
    expect((await retrying.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones).toHaveLength(3);
    expect(fake.calls.count('DescribeAvailabilityZones')).toBe(2);
    expect(fake.calls.entries.map((entry) => entry.fault)).toEqual(['throttle', undefined]);
    retrying.destroy();
  });

  it('renders server errors as InternalError (500) and Unavailable (503)', async () => {
    const remove = fake.faults.add({ kind: 'server-error', actions: ['DescribeInstances'] });
    const internal = await rejectionOf(ec2.send(new DescribeInstancesCommand({})));
    expect(internal.name).toBe('InternalError');
    expect(internal.$metadata?.httpStatusCode).toBe(500);
    remove();
    fake.faults.add({ kind: 'server-error', status: 503, actions: ['DescribeInstances'] });
    const unavailable = await rejectionOf(ec2.send(new DescribeInstancesCommand({})));
    expect(unavailable.name).toBe('Unavailable');
    expect(unavailable.$metadata?.httpStatusCode).toBe(503);
    // Other actions are untouched.
    expect((await zones()).AvailabilityZones).toHaveLength(3);
  });

  it('delays calls with latency and still answers them', async () => {
    fake.faults.add({ kind: 'latency', latencyMs: 30, actions: ['DescribeAvailabilityZones'] });
    fake.calls.reset();
    expect((await zones()).AvailabilityZones).toHaveLength(3);
    expect(fake.calls.entries).toEqual([
      expect.objectContaining({ action: 'DescribeAvailabilityZones', status: 200, fault: 'latency' }),
    ]);
  });

  it('loses a RunInstances response after the instance was created; a retry with the same ClientToken returns it', async () => {
    fake.faults.add({ kind: 'lost-response', actions: ['RunInstances'], times: 1 });
    const lost = await rejectionOf(launch('lost-token-1'));
    expect(lost).toBeInstanceOf(Error);
    const created = fake.state.instances().filter((instance) => instance.clientToken === 'lost-token-1');
    expect(created).toHaveLength(1);

    const retried = await launch('lost-token-1');
    expect(retried.Instances?.[0]?.InstanceId).toBe(created[0]?.instanceId);
    expect(fake.state.instances().filter((instance) => instance.clientToken === 'lost-token-1')).toHaveLength(
      1,
    );
  });

  it('lets the SDK recover from a lost response by itself without a duplicate', async () => {
    fake.faults.add({ kind: 'lost-response', actions: ['RunInstances'], times: 1 });
    const retrying = ec2ClientFor(fake, { maxAttempts: 3 });
    fake.calls.reset();
    const output = await launch('lost-token-2', retrying);
    expect(fake.calls.count('RunInstances')).toBe(2);
    expect(
      fake.state
        .instances()
        .filter((instance) => instance.clientToken === 'lost-token-2')
        .map((instance) => instance.instanceId),
    ).toEqual([output.Instances?.[0]?.InstanceId]);
    retrying.destroy();
  });

  it('injects faults by rate, deterministically for a seed, and logs every call', async () => {
    fake.faults.add({ kind: 'server-error', rate: 0.5, actions: ['DescribeAvailabilityZones'] });
    fake.calls.reset();
    const outcomes: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      outcomes.push(
        await zones().then(
          () => 'ok',
          (error: Error) => error.name,
        ),
      );
    }
    expect(outcomes.filter((outcome) => outcome === 'ok').length).toBeGreaterThan(5);
    expect(outcomes.filter((outcome) => outcome === 'InternalError').length).toBeGreaterThan(5);
    expect(fake.calls.count('DescribeAvailabilityZones')).toBe(40);
    expect(fake.calls.entries.filter((entry) => entry.fault === 'server-error')).toHaveLength(
      outcomes.filter((outcome) => outcome === 'InternalError').length,
    );
  });

  it('answers injected EC2 errors, unknown actions and IAM throttling in the cloud shapes', async () => {
    fake.injectError({
      action: 'RunInstances',
      code: 'InsufficientInstanceCapacity',
      message: 'no capacity in eu-west-1a',
    });
    const capacity = await rejectionOf(launch('capacity-1'));
    expect(capacity.name).toBe('InsufficientInstanceCapacity');
    expect(capacity.message).toBe('no capacity in eu-west-1a');
    expect(fake.state.instances().some((instance) => instance.clientToken === 'capacity-1')).toBe(false);
    expect((await launch('capacity-1')).Instances).toHaveLength(1);

    const unknown = await fetch(fake.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeUnicorns&Version=2016-11-15',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/<Response><Errors><Error><Code>InvalidAction<\/Code>.*<RequestID>/);

    fake.faults.add({ kind: 'throttle', actions: ['GetRole'], times: 1 });
    const iam = iamClientFor(fake);
    const throttled = await rejectionOf(iam.send(new GetRoleCommand({ RoleName: 'anything' })));
    expect(throttled.name).toBe('Throttling');
    iam.destroy();
  });

  it('enforces EC2 request token buckets when asked, answering RequestLimitExceeded', async () => {
    const limited = await startEc2Fake({
      requestLimits: {
        nonMutating: { capacity: 3, refillPerSecond: 0.001 },
        runInstances: { capacity: 2, refillPerSecond: 0.001 },
      },
    });
    const client = ec2ClientFor(limited);
    try {
      for (let index = 0; index < 3; index += 1) await client.send(new DescribeAvailabilityZonesCommand({}));
      const throttled = await rejectionOf(client.send(new DescribeAvailabilityZonesCommand({})));
      expect(throttled.name).toBe('RequestLimitExceeded');
      expect(throttled.$metadata?.httpStatusCode).toBe(503);
      const tooMany = await rejectionOf(
        client.send(new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 3, MaxCount: 3 })),
      );
      expect(tooMany.name).toBe('RequestLimitExceeded');
      expect(limited.state.instances()).toEqual([]);
      expect(
        (await client.send(new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 2, MaxCount: 2 })))
          .Instances,
      ).toHaveLength(2);
    } finally {
      client.destroy();
      await limited.close();
    }
  });

  it('fails RunInstances beyond the configured instance limit', async () => {
    const limited = await startEc2Fake({ maxInstances: 1 });
    const client = ec2ClientFor(limited);
    try {
      await launch('limit-1', client);
      expect((await rejectionOf(launch('limit-2', client))).name).toBe('InstanceLimitExceeded');
    } finally {
      client.destroy();
      await limited.close();
    }
  });
});
