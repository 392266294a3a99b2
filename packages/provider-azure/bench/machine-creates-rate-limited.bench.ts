// 500 creates against the ARM fake with ARM's token buckets enforced by the fake (reads 250 / 25 per
// second, writes 200 / 10, deletes 200 / 10) and Trellis' own buckets at their defaults (the same,
// refilled at 90%): wall time vs the least time ARM's buckets allow for the calls made. Target:
// within 1.2x of that floor, and no Throttled error reaching the caller.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NetworkManagementClient } from '@azure/arm-network';
import {
  ARM_RATE_LIMITS,
  createAzureMachineProvider,
  createAzureProviderContext,
} from '@trellis/provider-azure';

const CREATES = Number(process.env.TRELLIS_BENCH_CREATES ?? 500);
const SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
const cluster = 'bench-creates';
const limits = ARM_RATE_LIMITS;
// The fake runs in its own process, as ARM runs elsewhere: its CPU must not delay this process's
// timers (a late timer sends requests in bursts the fake's buckets rightly refuse).
const child = fork(fileURLToPath(new URL('./arm-fake-process.ts', import.meta.url)), [
  JSON.stringify(limits),
]);
const fake = await new Promise<{ url: string; ca: string }>((resolve, reject) => {
  child.once('message', (message) => resolve(message as never));
  child.once('exit', (code) => reject(new Error(`the ARM fake process exited with ${code}`)));
});
type Entry = { action: string; fault?: string };
const calls = () =>
  new Promise<Entry[]>((resolve) => {
    child.once('message', (message) => resolve(message as Entry[]));
    child.send('calls');
  });
const credential = { getToken: async () => ({ token: 'fake', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const context = createAzureProviderContext({
  subscriptionId: SUBSCRIPTION,
  location: 'westeurope',
  credentials: credential,
  endpoints: { resourceManager: fake.url },
  tlsCa: fake.ca,
  operationPollMs: 50,
});
const floorSeconds = (tokens: number, limit: { capacity: number; refillPerSecond: number }) =>
  Math.max(0, tokens - limit.capacity) / limit.refillPerSecond;
try {
  await new NetworkManagementClient(credential, SUBSCRIPTION, {
    endpoint: fake.url,
    tlsOptions: { ca: fake.ca },
  } as never).virtualNetworks.createOrUpdate(
    cluster,
    cluster,
    {
      location: 'westeurope',
      addressSpace: { addressPrefixes: ['10.250.0.0/16'] },
      subnets: [{ name: `${cluster}-nodes`, addressPrefix: '10.250.0.0/16' }],
    },
    { updateIntervalInMs: 1 },
  );
  child.send('reset');
  const provider = createAzureMachineProvider(context);
  const spec = {
    location: 'westeurope',
    subnetInfo: { vnetName: cluster, subnetName: `${cluster}-nodes` },
    tags: { [`kubernetes.io-cluster-${cluster}`]: '1', 'kubernetes.io-role-node': '1' },
    properties: {
      hardwareProfile: { vmSize: 'Standard_D2s_v5' },
      storageProfile: {
        imageReference: { urn: 'gardenlinux:greenhouse:gardenlinux:1877.3.0' },
        osDisk: {
          diskSizeGB: 50,
          createOption: 'FromImage',
          managedDisk: { storageAccountType: 'Premium_LRS' },
        },
      },
      osProfile: { adminUsername: 'core', linuxConfiguration: { disablePasswordAuthentication: true } },
      zone: 1,
    },
  };
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CREATES }, (_, index) =>
      provider.createMachine({ cluster, name: `worker-${index}`, spec: spec as never }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((result) => result.status === 'rejected');
  const entries = await calls();
  const admitted = entries.filter((entry) => entry.fault !== 'throttle');
  const reads = admitted.filter((entry) => /\.(get|list\w*)$/.test(entry.action)).length;
  const writes = admitted.filter((entry) => /\.(createOrUpdate|update)$/.test(entry.action)).length;
  const floor = Math.max(floorSeconds(reads, limits.read), floorSeconds(writes, limits.write));
  const throttled = entries.filter((entry) => entry.fault === 'throttle').length;
  const ratio = seconds / floor;
  console.log(
    `${CREATES} creates under ARM's token buckets: seconds trellis=${seconds.toFixed(2)} token-bucket-floor=${floor.toFixed(2)} ` +
      `ratio=${ratio.toFixed(3)} (target <= 1.2, no Throttled) ${ratio <= 1.2 && failed.length === 0 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `  calls: writes ${writes}, reads ${reads}; throttled by the fake: ${throttled}; failed creates: ${failed.length}`,
  );
  if (failed.length > 0)
    console.log(`  first failure: ${String((failed[0] as PromiseRejectedResult).reason)}`);
  if (process.env.TRELLIS_BENCH_DEBUG) {
    const by = new Map<string, number>();
    for (const entry of entries) {
      const key = `${entry.action}${entry.fault ? ` (${entry.fault})` : ''}`;
      by.set(key, (by.get(key) ?? 0) + 1);
    }
    console.log([...by].map(([key, count]) => `${key}: ${count}`).join('\n'));
  }
} finally {
  child.kill('SIGTERM');
}
