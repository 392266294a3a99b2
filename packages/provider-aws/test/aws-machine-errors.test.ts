import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsMachineProvider } from '../src/aws-machine-provider.js';
import { type AwsMachineClass, createAwsProviderContext } from '../src/index.js';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';
import { arrangeNetwork, FAKE_CREDENTIALS, fakeEc2Client, REGION } from './aws-machine-harness.js';

let fake: Ec2Fake;
let spec: AwsMachineClass;
const contexts: Array<ReturnType<typeof createAwsProviderContext>> = [];

function machines(settings: object = {}) {
  const context = createAwsProviderContext({
    region: REGION,
    endpoint: fake.url,
    credentials: FAKE_CREDENTIALS,
    ...settings,
  });
  contexts.push(context);
  return createAwsMachineProvider(context);
}

async function failure(promise: Promise<unknown>): Promise<TrellisError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(TrellisError.isInstance(error)).toBe(true);
  return error as TrellisError;
}

beforeAll(async () => {
  fake = await startEc2Fake({ region: REGION });
  const client = fakeEc2Client(fake);
  spec = await arrangeNetwork(client);
  client.destroy();
});

afterAll(async () => {
  for (const context of contexts) context.clients.destroy();
  await fake.close();
});

describe('AWS machine errors through the SDK', () => {
  it('maps InvalidInstanceID.NotFound to NotFound with the request id', async () => {
    const error = await failure(
      machines().getMachine({ cluster: 'c', name: 'w', providerId: `aws:///${REGION}a/i-0123456789abcdef0` }),
    );
    expect(error.code).toBe('NotFound');
    expect(error.operation).toBe('getMachine');
  });

  it('maps a malformed instance id to InvalidArgument', async () => {
    const error = await failure(
      machines().deleteMachine({ cluster: 'c', name: 'w', providerId: `aws:///${REGION}a/i-zz` }),
    );
    expect(error.code).toBe('InvalidArgument');
    expect(error.requestId).toBeTruthy();
  });

  it('reports OutOfRange naming every VM when two carry one machine name', async () => {
    const client = fakeEc2Client(fake);
    const tags = [
      { Key: 'Name', Value: 'twin' },
      { Key: 'kubernetes.io/cluster/twins', Value: '1' },
      { Key: 'kubernetes.io/role/node', Value: '1' },
    ];
    const ids: string[] = [];
    for (let index = 0; index < 2; index++) {
      const output = await client.send(
        new RunInstancesCommand({
          ImageId: spec.ami,
          InstanceType: 'm5.large',
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: spec.networkInterfaces![0]!.subnetID,
              Groups: spec.networkInterfaces![0]!.securityGroupIDs,
            },
          ],
          TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
        }),
      );
      ids.push(output.Instances![0]!.InstanceId!);
    }
    client.destroy();
    const provider = machines();
    for (const call of [
      provider.getMachine({ cluster: 'twins', name: 'twin' }),
      provider.createMachine({ cluster: 'twins', name: 'twin', spec }),
    ]) {
      const error = await failure(call);
      expect(error.code).toBe('OutOfRange');
      for (const id of ids) expect(error.message).toContain(id);
    }
    await provider.deleteMachine({ cluster: 'twins', name: 'twin' });
    await expect(provider.getMachine({ cluster: 'twins', name: 'twin' })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });

  it('maps InsufficientInstanceCapacity to ResourceExhausted and makes no VM', async () => {
    const remove = fake.injectError({
      action: 'RunInstances',
      code: 'InsufficientInstanceCapacity',
      times: 1,
    });
    try {
      const error = await failure(machines().createMachine({ cluster: 'capacity', name: 'worker-0', spec }));
      expect(error.code).toBe('ResourceExhausted');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('InsufficientInstanceCapacity');
    } finally {
      remove();
    }
  });

  it('surfaces Throttled only after the retry budget, having retried', async () => {
    const remove = fake.faults.add({ kind: 'throttle', actions: ['DescribeInstances'] });
    try {
      const before = fake.calls.count('DescribeInstances');
      const error = await failure(machines({ maxAttempts: 3 }).getMachine({ cluster: 'c', name: 'w' }));
      expect(error.code).toBe('Throttled');
      expect(fake.calls.count('DescribeInstances') - before).toBe(3);
    } finally {
      remove();
    }
  });

  it('cancels a call in flight when the signal aborts', async () => {
    const remove = fake.faults.add({ kind: 'latency', actions: ['DescribeInstances'], latencyMs: 5_000 });
    try {
      const controller = new AbortController();
      const pending = machines().getMachine({ cluster: 'c', name: 'slow' }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect((await failure(pending)).code).toBe('Canceled');
      const timedOut = await failure(
        machines()
          .listMachines({ cluster: 'c' }, { deadline: new Date(Date.now() + 50) })
          [Symbol.asyncIterator]()
          .next(),
      );
      expect(timedOut.code).toBe('DeadlineExceeded');
    } finally {
      remove();
    }
  });
});
