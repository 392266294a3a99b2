import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { fakeEc2Client, REGION, useMachineFake } from './aws-machine-harness.js';

const cloud = useMachineFake();

async function failure(promise: Promise<unknown>): Promise<TrellisError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(TrellisError.isInstance(error)).toBe(true);
  return error as TrellisError;
}

describe('AWS machine errors through the SDK', () => {
  it('maps InvalidInstanceID.NotFound to NotFound with the request id', async () => {
    const error = await failure(
      cloud
        .machines()
        .getMachine({ cluster: 'c', name: 'w', providerId: `aws:///${REGION}a/i-0123456789abcdef0` }),
    );
    expect(error.code).toBe('NotFound');
    expect(error.operation).toBe('getMachine');
  });

  it('maps a malformed instance id to InvalidArgument', async () => {
    const error = await failure(
      cloud.machines().deleteMachine({ cluster: 'c', name: 'w', providerId: `aws:///${REGION}a/i-zz` }),
    );
    expect(error.code).toBe('InvalidArgument');
    expect(error.requestId).toBeTruthy();
  });

  it('reports OutOfRange naming every VM when two carry one machine name', async () => {
    const client = fakeEc2Client(cloud.fake);
    const tags = [
      { Key: 'Name', Value: 'twin' },
      { Key: 'kubernetes.io/cluster/twins', Value: '1' },
      { Key: 'kubernetes.io/role/node', Value: '1' },
    ];
    const ids: string[] = [];
    for (let index = 0; index < 2; index++) {
      const output = await client.send(
        new RunInstancesCommand({
          ImageId: cloud.spec.ami,
          InstanceType: 'm5.large',
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: cloud.spec.networkInterfaces![0]!.subnetID,
              Groups: cloud.spec.networkInterfaces![0]!.securityGroupIDs,
            },
          ],
          TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
        }),
      );
      ids.push(output.Instances![0]!.InstanceId!);
    }
    client.destroy();
    const provider = cloud.machines();
    for (const call of [
      provider.getMachine({ cluster: 'twins', name: 'twin' }),
      provider.createMachine({ cluster: 'twins', name: 'twin', spec: cloud.spec }),
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
    const remove = cloud.fake.injectError({
      action: 'RunInstances',
      code: 'InsufficientInstanceCapacity',
      times: 1,
    });
    try {
      const error = await failure(
        cloud.machines().createMachine({ cluster: 'capacity', name: 'worker-0', spec: cloud.spec }),
      );
      expect(error.code).toBe('ResourceExhausted');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('InsufficientInstanceCapacity');
    } finally {
      remove();
    }
  });

  it('surfaces Throttled only after the retry budget, having retried', async () => {
    const remove = cloud.fake.faults.add({ kind: 'throttle', actions: ['DescribeInstances'] });
    try {
      const before = cloud.fake.calls.count('DescribeInstances');
      const error = await failure(cloud.machines({ maxAttempts: 3 }).getMachine({ cluster: 'c', name: 'w' }));
      expect(error.code).toBe('Throttled');
      expect(cloud.fake.calls.count('DescribeInstances') - before).toBe(3);
    } finally {
      remove();
    }
  });

  it('cancels a call in flight when the signal aborts', async () => {
    const remove = cloud.fake.faults.add({
      kind: 'latency',
      actions: ['DescribeInstances'],
      latencyMs: 5_000,
    });
    try {
      const controller = new AbortController();
      const pending = cloud
        .machines()
        .getMachine({ cluster: 'c', name: 'slow' }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect((await failure(pending)).code).toBe('Canceled');
      const timedOut = await failure(
        cloud
          .machines()
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
