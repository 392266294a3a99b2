// 500 creates against the ECS fake with per-minute limits per action enforced by the fake and the
// same limits in Trellis' own buckets, both on a clock that runs a minute in a second (Alibaba's
// windows are per minute; a real-time run would take many minutes): wall time vs the least time
// those buckets allow for the calls made. Target: within 1.2x of the floor.
import { createAlicloudMachines } from '@trellis/provider-alicloud';
import { FAKE_ACCESS_KEY, startEcsFake } from '@trellis/provider-alicloud/testing';

const CREATES = Number(process.env.TRELLIS_BENCH_CREATES ?? 500);
/** Scaled minutes: one minute of the limits passes in 1/SCALE of a minute. */
const SCALE = 60;
const REGION = 'eu-central-1';
const cluster = 'bench-creates';
const limits = { RunInstances: 100, DescribeInstances: 200 };

const scaled = {
  now: () => performance.now() * SCALE,
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, ms / SCALE);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    }),
};
const fake = await startEcsFake({ pendingMs: 0, rateLimitsPerMinute: limits, clock: scaled });
try {
  const machines = createAlicloudMachines({
    region: REGION,
    credentials: FAKE_ACCESS_KEY,
    endpoints: { ecs: fake.url },
    rateLimitsPerMinute: limits,
    clock: scaled,
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
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CREATES }, (_, index) =>
      machines.createMachine({ cluster, name: `worker-${index}`, spec }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((result) => result.status === 'rejected');
  const served = (action: keyof typeof limits) =>
    fake.calls.entries.filter(
      (entry) => entry.action === action && entry.fault !== 'throttle' && entry.status < 400,
    ).length;
  // A bucket holds a minute's calls and refills over the minute: calls beyond the first minute's
  // wait for the refill. Scaled back to real seconds.
  const floorOf = (action: keyof typeof limits) =>
    Math.max(0, served(action) - limits[action]) / (limits[action] / 60) / SCALE;
  const floor = Math.max(floorOf('RunInstances'), floorOf('DescribeInstances'));
  const throttled = fake.calls.entries.filter(
    (entry) => entry.status === 400 && entry.action in limits,
  ).length;
  const ratio = seconds / floor;
  console.log(
    `${CREATES} creates under per-minute ECS limits (RunInstances ${limits.RunInstances}/min, DescribeInstances ${limits.DescribeInstances}/min, one minute = ${60 / SCALE} s): ` +
      `seconds trellis=${seconds.toFixed(2)} token-bucket-floor=${floor.toFixed(2)} ratio=${ratio.toFixed(3)} (target <= 1.2) ${ratio <= 1.2 && failed.length === 0 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `  calls: RunInstances ${served('RunInstances')}, DescribeInstances ${served('DescribeInstances')}; refused by the fake: ${throttled}; failed creates: ${failed.length}; instances in the fake: ${fake.instances().length}`,
  );
  if (failed.length > 0) console.log(`  first failure: ${(failed[0] as PromiseRejectedResult).reason}`);
} finally {
  await fake.close();
}
