// API calls to read the status of 1,000 machines: Trellis (batched getMachine) vs one
// DescribeInstances per machine (what a naive driver does). Target: at most 2 calls.
import { DescribeInstancesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  createAwsMachineProvider,
  createAwsProviderContext,
  machineClientToken,
} from '@trellis/provider-aws';
import { startEc2Fake } from '@trellis/provider-aws/testing';
import { reportBenchmark as report } from '@trellis/testkit';
import { arrangeNetwork, CREDENTIALS, plainClient, REGION } from './bench-network.ts';

const MACHINES = 1000;
const cluster = 'bench-status';
const fake = await startEc2Fake({ region: REGION });
try {
  const spec = await arrangeNetwork(fake);
  const client = plainClient(fake.url);
  // Arrange 1,000 machines directly (no rate limits), each with its ownership tags.
  const providerIds: Array<{ name: string; providerId: string }> = [];
  for (let start = 0; start < MACHINES; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, MACHINES - start) }, (_, offset) => {
        const name = `worker-${start + offset}`;
        const tags = [
          { Key: 'Name', Value: name },
          { Key: `kubernetes.io/cluster/${cluster}`, Value: '1' },
          { Key: 'kubernetes.io/role/node', Value: '1' },
        ];
        return client
          .send(
            new RunInstancesCommand({
              ImageId: spec.ami,
              InstanceType: 'm5.large',
              MinCount: 1,
              MaxCount: 1,
              ClientToken: machineClientToken(cluster, name),
              NetworkInterfaces: [
                {
                  DeviceIndex: 0,
                  SubnetId: spec.networkInterfaces![0]!.subnetID,
                  Groups: spec.networkInterfaces![0]!.securityGroupIDs,
                },
              ],
              TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
            }),
          )
          .then((output) => {
            const instance = output.Instances![0]!;
            return {
              name,
              providerId: `aws:///${instance.Placement!.AvailabilityZone}/${instance.InstanceId}`,
            };
          });
      }),
    );
    providerIds.push(...batch);
  }

  const context = createAwsProviderContext({ region: REGION, endpoint: fake.url, credentials: CREDENTIALS });
  const provider = createAwsMachineProvider(context);

  fake.calls.reset();
  let started = performance.now();
  const machines = await Promise.all(
    providerIds.map(({ name, providerId }) => provider.getMachine({ cluster, name, providerId })),
  );
  const trellisMs = performance.now() - started;
  const trellisCalls = fake.calls.count('DescribeInstances');
  if (machines.length !== MACHINES || machines.some((machine) => machine.phase === 'Unknown'))
    throw new Error('bad read');

  fake.calls.reset();
  started = performance.now();
  await Promise.all(
    providerIds.map(({ providerId }) =>
      client.send(new DescribeInstancesCommand({ InstanceIds: [providerId.split('/').at(-1)!] })),
    ),
  );
  const naiveMs = performance.now() - started;
  const naiveCalls = fake.calls.count('DescribeInstances');

  fake.calls.reset();
  await Promise.all(providerIds.map(({ name }) => provider.getMachine({ cluster, name })));
  const byNameCalls = fake.calls.count('DescribeInstances');

  const met = report({
    benchmark: `read status of ${MACHINES} machines`,
    metric: 'DescribeInstances calls',
    trellis: trellisCalls,
    baseline: naiveCalls,
    baselineLabel: 'one-call-per-machine',
    target: { ratio: 2 / MACHINES, kind: 'max' },
  });
  console.log(
    `  wall time: trellis ${trellisMs.toFixed(0)} ms, one-call-per-machine ${naiveMs.toFixed(0)} ms (ratio ${(trellisMs / naiveMs).toFixed(3)})`,
  );
  console.log(`  by name (no provider id, tag lookups of up to 200 names): ${byNameCalls} calls`);
  console.log(`  target: at most 2 calls -> ${trellisCalls <= 2 ? 'MET' : 'MISSED'}`);
  client.destroy();
  context.clients.destroy();
  if (!met) process.exitCode = 1;
} finally {
  await fake.close();
}
