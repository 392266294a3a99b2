// API calls to read the status of 1,000 machines: Trellis (concurrent getMachine calls, batched
// into one aggregated list per cluster) vs one instances.get per machine (what a naive driver
// does). Target: at most 2 calls.
import { InstancesClient } from '@google-cloud/compute';
import { createGcpMachineProvider, createGcpProviderContext } from '@trellis/provider-gcp';
import { startGceFake } from '@trellis/provider-gcp/testing';
import { PassThroughClient } from 'google-auth-library';

const MACHINES = 1000;
const cluster = 'bench-status';
const fake = await startGceFake({ operationPolls: 0 });
const generous = { capacity: 100_000, refillPerSecond: 100_000 };
const context = createGcpProviderContext({
  project: 'trellis-bench',
  region: 'europe-west1',
  credentials: 'none',
  endpoints: { compute: fake.url },
  operationPollMs: 1,
  rateLimits: { read: generous, list: generous, mutate: generous },
});
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
  const refs: Array<{ name: string; providerId: string }> = [];
  for (let start = 0; start < MACHINES; start += 100) {
    const batch = await Promise.all(
      Array.from({ length: 100 }, (_, offset) =>
        provider.createMachine({ cluster, name: `worker-${start + offset}`, spec: spec as never }),
      ),
    );
    refs.push(...batch.map((machine) => ({ name: machine.name, providerId: machine.providerId })));
  }

  fake.calls.reset();
  let started = performance.now();
  const machines = await Promise.all(refs.map((ref) => provider.getMachine({ cluster, ...ref })));
  const trellisMs = performance.now() - started;
  const trellisCalls = fake.calls.count();
  if (machines.length !== MACHINES || machines.some((machine) => machine.phase !== 'Running'))
    throw new Error('bad read');

  const plain = new InstancesClient({
    apiEndpoint: '127.0.0.1',
    port: fake.port,
    protocol: 'http',
    authClient: new PassThroughClient(),
  });
  fake.calls.reset();
  started = performance.now();
  for (let start = 0; start < MACHINES; start += 100) {
    await Promise.all(
      refs
        .slice(start, start + 100)
        .map((ref) => plain.get({ project: 'trellis-bench', zone: 'europe-west1-b', instance: ref.name })),
    );
  }
  const naiveMs = performance.now() - started;
  const naiveCalls = fake.calls.count();
  await plain.close();
  const ratio = trellisCalls / naiveCalls;
  console.log(
    `read status of ${MACHINES} machines: calls trellis=${trellisCalls} one-get-per-machine=${naiveCalls} ratio=${ratio.toFixed(3)} ` +
      `(target: at most 2 calls) ${trellisCalls <= 2 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `  wall time: trellis ${trellisMs.toFixed(0)} ms, one-get-per-machine ${naiveMs.toFixed(0)} ms`,
  );
} finally {
  await context.clients.close();
  await fake.close();
}
