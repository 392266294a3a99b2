// 500 creates against the fake with EC2's request limits enforced (a throttling proxy in front of
// the fake, and Trellis' own token buckets with EC2's defaults): wall time vs the token-bucket
// floor, i.e. the least time EC2's buckets allow for the calls made. Target: within 1.2x of the
// floor and no Throttled error reaching the caller.
import {
  createAwsMachineProvider,
  createAwsProviderContext,
  EC2_DEFAULT_RATE_LIMITS,
} from '@trellis/provider-aws';
import { startEc2Fake } from '@trellis/provider-aws/testing';
import type { TokenBucketLimit } from '@trellis/provider-kit';
import { reportBenchmark as report } from '@trellis/testkit';
import { arrangeNetwork, CREDENTIALS, REGION } from './bench-network.ts';
import { startThrottlingProxy } from './ec2-throttling-proxy.ts';

const CREATES = Number(process.env.TRELLIS_BENCH_CREATES ?? 500);
const cluster = 'bench-creates';

/** Least seconds a bucket needs to serve `tokens` when it starts full. */
const floorSeconds = (tokens: number, limit: TokenBucketLimit) =>
  Math.max(0, (tokens - limit.capacity) / limit.refillPerSecond);

const fake = await startEc2Fake({ region: REGION });
const proxy = await startThrottlingProxy(fake.url);
try {
  const spec = await arrangeNetwork(fake);
  const context = createAwsProviderContext({ region: REGION, endpoint: proxy.url, credentials: CREDENTIALS });
  const provider = createAwsMachineProvider(context);
  fake.calls.reset();
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CREATES }, (_, index) =>
      provider.createMachine({ cluster, name: `worker-${index}`, spec }),
    ),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  const failures = results.filter((result) => result.status === 'rejected');
  const throttledToCaller = failures.filter(
    (result) => (result.reason as { code?: string }).code === 'Throttled',
  ).length;
  const runCalls = fake.calls.count('RunInstances');
  const describeCalls = fake.calls.count('DescribeInstances') + fake.calls.count('DescribeImages');
  const floor = Math.max(
    floorSeconds(runCalls, EC2_DEFAULT_RATE_LIMITS.mutating),
    floorSeconds(runCalls, EC2_DEFAULT_RATE_LIMITS.runInstances),
    floorSeconds(describeCalls, EC2_DEFAULT_RATE_LIMITS.describe),
  );
  const live = fake.state
    .instances()
    .filter((instance) => instance.tags[`kubernetes.io/cluster/${cluster}`]).length;
  const met = report({
    benchmark: `${CREATES} creates under EC2 rate limits`,
    metric: 'seconds',
    trellis: elapsedSeconds,
    baseline: floor,
    baselineLabel: 'token-bucket-floor',
    target: { ratio: 1.2, kind: 'max' },
  });
  console.log(
    `  calls: RunInstances ${runCalls}, describes ${describeCalls}; throttled by the proxy: ${proxy.throttled}`,
  );
  console.log(
    `  machines: ${CREATES - failures.length} created, ${live} VMs in the fake, ${failures.length} failed, ${throttledToCaller} Throttled reached the caller`,
  );
  for (const failure of failures.slice(0, 3))
    console.log(`  failure: ${(failure as PromiseRejectedResult).reason}`);
  context.clients.destroy();
  if (!met || failures.length > 0 || live !== CREATES) process.exitCode = 1;
} finally {
  await proxy.close();
  await fake.close();
}
