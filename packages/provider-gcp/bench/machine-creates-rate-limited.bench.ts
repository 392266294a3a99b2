// 500 creates against the GCE fake with Compute Engine's rate limits enforced by the fake (token
// buckets per class: reads, lists, mutations) and Trellis' own buckets at the same values: wall
// time vs the least time those buckets allow for the calls made. Target: within 1.2x of the floor.
import {
  createGcpMachineProvider,
  createGcpProviderContext,
  GCE_DEFAULT_RATE_LIMITS,
} from '@trellis/provider-gcp';
import { startGceFake } from '@trellis/provider-gcp/testing';

const CREATES = Number(process.env.TRELLIS_BENCH_CREATES ?? 500);
const cluster = 'bench-creates';
const limits = GCE_DEFAULT_RATE_LIMITS;
const fake = await startGceFake({ operationPolls: 1, rateLimits: limits });
const context = createGcpProviderContext({
  project: 'trellis-bench',
  region: 'europe-west1',
  credentials: 'none',
  endpoints: { compute: fake.url },
  operationPollMs: 50,
});
const floorSeconds = (tokens: number, limit: { capacity: number; refillPerSecond: number }) =>
  Math.max(0, tokens - limit.capacity) / limit.refillPerSecond;
try {
  const provider = createGcpMachineProvider(context);
  const spec = {
    machineType: 'n2-standard-2',
    region: 'europe-west1',
    zone: 'europe-west1-b',
    disks: [{ boot: true, image: 'projects/debian-cloud/global/images/family/debian-12' }],
    networkInterfaces: [{ subnetwork: `${cluster}-nodes`, disableExternalIP: true }],
    tags: [`kubernetes-io-cluster-${cluster}`, 'kubernetes-io-role-node'],
  };
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CREATES }, (_, index) =>
      provider.createMachine({ cluster, name: `worker-${index}`, spec: spec as never }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((result) => result.status === 'rejected');
  const count = (pattern: RegExp) =>
    fake.calls.entries.filter((entry) => pattern.test(entry.action) && entry.fault !== 'throttle').length;
  const reads = count(/\.(get|wait)$/);
  const mutations = count(/\.insert$/);
  const floor = Math.max(floorSeconds(reads, limits.read), floorSeconds(mutations, limits.mutate));
  const throttled = fake.calls.entries.filter((entry) => entry.fault === 'throttle').length;
  console.log(
    `${CREATES} creates under GCE rate limits: seconds trellis=${seconds.toFixed(2)} token-bucket-floor=${floor.toFixed(2)} ` +
      `ratio=${(seconds / floor).toFixed(3)} (target <= 1.2) ${seconds / floor <= 1.2 && failed.length === 0 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `  calls: inserts ${mutations}, reads ${reads}; throttled by the fake: ${throttled}; failed creates: ${failed.length}`,
  );
  console.log(`  machines in the fake: ${fake.instances().length}`);
} finally {
  await context.clients.close();
  await fake.close();
}
