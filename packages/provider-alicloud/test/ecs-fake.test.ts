import * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import PopCore from '@alicloud/pop-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ecs } from '../src/ecs-client.js';
import { type EcsFake, FAKE_ACCESS_KEY, startEcsFake } from '../src/testing/index.js';

// The fake through the real SDK (ACS3 signatures) and through pop-core (RPC v1), a second,
// independent client generation.

let fake: EcsFake;
beforeEach(async () => {
  // Pending long enough that a describe right after a run still sees it so on a busy machine.
  fake = await startEcsFake({ pendingMs: 400 });
});
afterEach(() => fake.close());

const sdk = (secret: string = FAKE_ACCESS_KEY.accessKeySecret) =>
  new Ecs(
    new $OpenApiUtil.Config({
      accessKeyId: FAKE_ACCESS_KEY.accessKeyId,
      accessKeySecret: secret,
      regionId: 'eu-central-1',
      endpoint: fake.endpoint,
      protocol: 'HTTP',
      readTimeout: 5000,
      connectTimeout: 5000,
    }),
  );
const tags = [
  new $Ecs.RunInstancesRequestTag({ key: 'kubernetes.io/cluster/shoot--p--c', value: '1' }),
  new $Ecs.RunInstancesRequestTag({ key: 'kubernetes.io/role/node', value: '1' }),
];
const run = (name: string, clientToken?: string, instanceType = 'ecs.g7.large') =>
  sdk().runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: 'eu-central-1',
      zoneId: 'eu-central-1a',
      imageId: 'm-gw8abc',
      instanceType,
      vSwitchId: 'vsw-1',
      securityGroupId: 'sg-1',
      instanceName: name,
      privateIpAddress: '',
      tag: tags,
      systemDisk: new $Ecs.RunInstancesRequestSystemDisk({ category: 'cloud_essd', size: '50' }),
      dataDisk: [
        new $Ecs.RunInstancesRequestDataDisk({ category: 'cloud_essd', size: 100, diskName: 'data' }),
      ],
      ...(clientToken ? { clientToken } : {}),
    }),
  );
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: { code?: string; statusCode?: number; name?: string }) => error,
  );

describe('the ECS fake through @alicloud/ecs20140526 (ACS3)', () => {
  it('runs an instance with its tags and disks, Pending then Running, and finds it by id, name and tags', async () => {
    const created = await run('shoot--p--c-worker-a-1');
    const [id] = created.body?.instanceIdSets?.instanceIdSet ?? [];
    expect(id).toMatch(/^i-[0-9a-f]{20}$/);
    const byId = await sdk().describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: 'eu-central-1', instanceIds: JSON.stringify([id]) }),
    );
    const instance = byId.body?.instances?.instance?.[0];
    expect(instance).toMatchObject({
      instanceId: id,
      instanceName: 'shoot--p--c-worker-a-1',
      status: 'Pending',
    });
    expect(instance?.tags?.tag?.map((tag) => [tag.tagKey, tag.tagValue])).toEqual([
      ['kubernetes.io/cluster/shoot--p--c', '1'],
      ['kubernetes.io/role/node', '1'],
    ]);
    // An empty optional parameter (`PrivateIpAddress=`) counts as absent: the fake gave an address.
    expect(instance?.vpcAttributes?.privateIpAddress?.ipAddress?.[0]).toMatch(/^10\.0\./);
    expect(fake.instances()[0]?.DataDisks).toEqual([
      { Category: 'cloud_essd', DiskName: 'data', Size: '100' },
    ]);

    await expect
      .poll(async () => {
        const byName = await sdk().describeInstances(
          new $Ecs.DescribeInstancesRequest({
            regionId: 'eu-central-1',
            instanceName: 'shoot--p--c-worker-*',
          }),
        );
        return byName.body?.instances?.instance?.map((found) => found.status);
      })
      .toEqual(['Running']);
    const byTags = await sdk().describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: 'eu-central-1',
        tag: [new $Ecs.DescribeInstancesRequestTag({ key: 'kubernetes.io/cluster/shoot--p--c', value: '1' })],
      }),
    );
    expect(byTags.body?.instances?.instance?.map((found) => found.instanceId)).toEqual([id]);
    const otherCluster = await sdk().describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: 'eu-central-1',
        tag: [new $Ecs.DescribeInstancesRequestTag({ key: 'kubernetes.io/cluster/other', value: '1' })],
      }),
    );
    expect(otherCluster.body?.instances?.instance).toEqual([]);
  });

  it('returns the same instance for a repeated ClientToken, and IdempotentParameterMismatch when the parameters changed', async () => {
    const first = await run('m1', 'trellis-token-1');
    const again = await run('m1', 'trellis-token-1');
    expect(again.body?.instanceIdSets?.instanceIdSet).toEqual(first.body?.instanceIdSets?.instanceIdSet);
    expect(fake.instances()).toHaveLength(1);
    expect(await failure(run('m1', 'trellis-token-1', 'ecs.g7.xlarge'))).toMatchObject({
      code: 'IdempotentParameterMismatch',
      statusCode: 400,
    });
    expect(fake.instances()).toHaveLength(1);
  });

  it('pages with NextToken within the API bounds of MaxResults', async () => {
    for (let index = 0; index < 25; index++) await run(`m${index}`);
    const ids: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await sdk().describeInstances(
        new $Ecs.DescribeInstancesRequest({
          regionId: 'eu-central-1',
          maxResults: 5,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      pages += 1;
      // MaxResults below 10 reads as 10.
      expect(page.body?.instances?.instance?.length).toBeLessThanOrEqual(10);
      ids.push(...(page.body?.instances?.instance ?? []).map((instance) => instance.instanceId!));
      nextToken = page.body?.nextToken || undefined;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(25);
    expect(
      await failure(
        sdk().describeInstances(
          new $Ecs.DescribeInstancesRequest({
            regionId: 'eu-central-1',
            instanceIds: JSON.stringify(Array.from({ length: 101 }, (_, index) => `i-${index}`)),
          }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidParameter' });
  });

  it('refuses to delete a Pending instance (403 IncorrectInstanceStatus), deletes a Running one with Force, then NotFound', async () => {
    const created = await run('m1');
    const id = created.body!.instanceIdSets!.instanceIdSet![0]!;
    const remove = () =>
      sdk().deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    expect(await failure(remove())).toMatchObject({ code: 'IncorrectInstanceStatus', statusCode: 403 });
    await expect.poll(() => fake.instances()[0]?.Status).toBe('Running');
    await remove();
    expect(fake.instances()).toEqual([]);
    expect(await failure(remove())).toMatchObject({ code: 'InvalidInstanceId.NotFound', statusCode: 404 });
  });

  it('refuses a wrong signature, answers an injected NoStock and rate limits per action with Throttling.User', async () => {
    expect(
      await failure(
        sdk('not-the-secret').describeInstances(
          new $Ecs.DescribeInstancesRequest({ regionId: 'eu-central-1' }),
        ),
      ),
    ).toMatchObject({ code: 'SignatureDoesNotMatch' });
    fake.failNext('RunInstances', 'OperationDenied.NoStock');
    expect(await failure(run('m1'))).toMatchObject({ code: 'OperationDenied.NoStock', statusCode: 403 });
    expect(fake.instances()).toEqual([]);

    const limited = await startEcsFake({ rateLimitsPerMinute: { DescribeInstances: 2 } });
    try {
      const client = new Ecs(
        new $OpenApiUtil.Config({
          ...FAKE_ACCESS_KEY,
          regionId: 'eu-central-1',
          endpoint: limited.endpoint,
          protocol: 'HTTP',
          readTimeout: 5000,
          connectTimeout: 5000,
        }),
      );
      const describe = () =>
        client.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'eu-central-1' }));
      await describe();
      await describe();
      const throttled = await failure(describe());
      expect(throttled).toMatchObject({ code: 'Throttling.User', name: 'ThrottlingError' });
      expect((throttled as { retryAfter?: number }).retryAfter).toBe(1);
    } finally {
      await limited.close();
    }
  });
});

describe('the ECS fake through @alicloud/pop-core (RPC v1)', () => {
  const pop = (secret: string = FAKE_ACCESS_KEY.accessKeySecret) =>
    new PopCore({
      accessKeyId: FAKE_ACCESS_KEY.accessKeyId,
      accessKeySecret: secret,
      endpoint: fake.url,
      apiVersion: '2014-05-26',
    });

  it('describes, runs and deletes, signed with HMAC-SHA1 over GET and POST', async () => {
    const run = (await pop().request(
      'RunInstances',
      {
        RegionId: 'eu-central-1',
        ImageId: 'm-1',
        InstanceType: 'ecs.g7.large',
        InstanceName: 'pop-1',
        'Tag.1.Key': 'kubernetes.io/cluster/pop',
        'Tag.1.Value': '1',
        ClientToken: 'pop-token',
      },
      { method: 'POST' },
    )) as { InstanceIdSets: { InstanceIdSet: string[] } };
    const [id] = run.InstanceIdSets.InstanceIdSet;
    const described = (await pop().request('DescribeInstances', {
      RegionId: 'eu-central-1',
      InstanceIds: JSON.stringify([id]),
    })) as { Instances: { Instance: Array<{ InstanceName: string; Tags: { Tag: unknown[] } }> } };
    expect(described.Instances.Instance).toMatchObject([
      { InstanceName: 'pop-1', Tags: { Tag: [{ TagKey: 'kubernetes.io/cluster/pop', TagValue: '1' }] } },
    ]);
    await expect.poll(() => fake.instances()[0]?.Status).toBe('Running');
    await pop().request('DeleteInstance', { InstanceId: id, Force: true }, { method: 'POST' });
    expect(fake.instances()).toEqual([]);
    await expect(pop().request('DeleteInstance', { InstanceId: id, Force: true })).rejects.toMatchObject({
      code: 'InvalidInstanceId.NotFound',
    });
    await expect(
      pop('wrong').request('DescribeInstances', { RegionId: 'eu-central-1' }),
    ).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });
});
