// API calls to read the status of 1,000 machines on the ECS fake: Trellis (concurrent getMachine
// calls by provider id, merged into DescribeInstances calls of up to 100 ids) vs one
// DescribeInstances per machine (what Gardener's driver does). Target: at most 10 calls.
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { createAlicloudMachines } from '@trellis/provider-alicloud';
import { FAKE_ACCESS_KEY, startEcsFake } from '@trellis/provider-alicloud/testing';

const MACHINES = 1000;
const REGION = 'eu-central-1';
const cluster = 'bench-status';
const Ecs = EcsModule.default;
const fake = await startEcsFake({ pendingMs: 0 });
try {
  const machines = createAlicloudMachines({
    region: REGION,
    credentials: FAKE_ACCESS_KEY,
    endpoints: { ecs: fake.url },
    rateLimitsPerMinute: { DescribeInstances: 1_000_000, RunInstances: 1_000_000 },
  });
  const spec = {
    imageID: 'm-bench',
    instanceType: 'ecs.g7.large',
    region: REGION,
    zoneID: `${REGION}a`,
    vSwitchID: 'vsw-bench',
    keyPairName: 'bench',
    tags: { [`kubernetes.io/cluster/${cluster}`]: '1', 'kubernetes.io/role/worker': '1' },
  };
  const refs: Array<{ name: string; providerId: string }> = [];
  for (let start = 0; start < MACHINES; start += 100) {
    const batch = await Promise.all(
      Array.from({ length: 100 }, (_, offset) =>
        machines.createMachine({ cluster, name: `worker-${start + offset}`, spec }),
      ),
    );
    refs.push(...batch.map((machine) => ({ name: machine.name, providerId: machine.providerId })));
  }

  fake.calls.reset();
  const read = await Promise.all(refs.map((ref) => machines.getMachine({ cluster, ...ref })));
  const trellisCalls = fake.calls.count();
  if (read.length !== MACHINES || read.some((machine) => machine.phase !== 'Running'))
    throw new Error('bad read');

  const plain = new Ecs(
    new $OpenApiUtil.Config({
      ...FAKE_ACCESS_KEY,
      regionId: REGION,
      endpoint: fake.endpoint,
      protocol: 'HTTP',
      readTimeout: 10_000,
      connectTimeout: 10_000,
    }),
  );
  fake.calls.reset();
  for (let start = 0; start < MACHINES; start += 100) {
    await Promise.all(
      refs.slice(start, start + 100).map((ref) =>
        plain.describeInstances(
          new $Ecs.DescribeInstancesRequest({
            regionId: REGION,
            instanceIds: JSON.stringify([ref.providerId.split('.')[1]]),
          }),
        ),
      ),
    );
  }
  const naiveCalls = fake.calls.count();
  console.log(
    `read status of ${MACHINES} machines: calls trellis=${trellisCalls} one-describe-per-machine=${naiveCalls} ` +
      `ratio=${(trellisCalls / naiveCalls).toFixed(3)} (target: at most 10 calls) ${trellisCalls <= 10 ? 'MET' : 'MISSED'}`,
  );
} finally {
  await fake.close();
}
