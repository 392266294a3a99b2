// The pool controller holding 1,000 machines on the AWS fake: API calls per resync of a converged
// pool vs one call per machine (target: the provider's batched list, a few calls), and the time from
// a class change until the pool has rolled over (1,000 machines, maxSurge 100), printed with the
// calls it took.
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { type MachinePool, machineClassHash, startPoolController } from '@trellis/controller';
import { createAwsProvider } from '@trellis/provider-aws';
import { startEc2Fake } from '@trellis/provider-aws/testing';
import { reportBenchmark } from '@trellis/testkit';

const MACHINES = Number(process.env.TRELLIS_BENCH_MACHINES ?? 1000);
const credentials = { accessKeyId: 'AKIDTRELLISFAKE', secretAccessKey: 'trellis-fake-secret' };
const fake = await startEc2Fake({ region: 'eu-west-1' });
const client = new EC2Client({ endpoint: fake.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
const vpc = await client.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
const subnet = await client.send(
  new CreateSubnetCommand({
    VpcId: vpc.Vpc!.VpcId!,
    CidrBlock: '10.0.0.0/17',
    AvailabilityZone: 'eu-west-1a',
  }),
);
const group = await client.send(
  new CreateSecurityGroupCommand({ VpcId: vpc.Vpc!.VpcId!, GroupName: 'nodes', Description: 'nodes' }),
);
client.destroy();
const generous = { capacity: 100_000, refillPerSecond: 100_000 };
const aws = createAwsProvider({
  region: 'eu-west-1',
  endpoint: fake.url,
  credentials,
  rateLimits: {
    describe: generous,
    mutating: generous,
    runInstances: generous,
    terminateInstances: generous,
  },
});
const spec = {
  ami: 'ami-0123456789abcdef0',
  machineType: 'm5.large',
  region: 'eu-west-1',
  iam: { name: 'nodes' },
  networkInterfaces: [{ subnetID: subnet.Subnet!.SubnetId!, securityGroupIDs: [group.GroupId!] }],
};
const pool = (ami: string): MachinePool => ({
  name: 'bench',
  cluster: 'bench-pool',
  replicas: MACHINES,
  machineClass: { ...spec, ami },
  maxSurge: 100,
});
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 50));
};
const controller = startPoolController({
  provider: aws.machines as never,
  workers: 1,
  progressMs: 100,
  resyncMs: 3_600_000,
});
try {
  const first = pool('ami-0123456789abcdef0');
  controller.setPools([first]);
  await until(() => controller.status().get('bench-pool/bench')?.converged === true);

  // One resync of the converged pool.
  fake.calls.reset();
  const before = controller.metrics.counter('trellis_reconciles_total');
  controller.setPools([{ ...first, maxSurge: 101 }]); // a no-op change: one more reconcile, nothing to do
  await until(() => controller.metrics.counter('trellis_reconciles_total') > before);
  await until(() => controller.status().get('bench-pool/bench')?.converged === true);
  const resyncCalls = fake.calls.count();
  reportBenchmark({
    benchmark: `resync of a converged pool of ${MACHINES} machines`,
    metric: 'EC2 calls',
    trellis: resyncCalls,
    baseline: MACHINES,
    baselineLabel: 'one-call-per-machine',
    target: { ratio: 6 / MACHINES, kind: 'max' },
  });

  // A class change: the pool rolls over.
  fake.calls.reset();
  const next = pool('ami-0fedcba9876543210');
  const hash = machineClassHash(next).slice(0, 6);
  const started = performance.now();
  controller.setPools([next]);
  await until(() => {
    const status = controller.status().get('bench-pool/bench');
    return status?.converged === true && status.machines.every((machine) => machine.name.includes(hash));
  });
  const seconds = (performance.now() - started) / 1000;
  const count = (action: string) => fake.calls.count(action);
  console.log(
    `class change of ${MACHINES} machines rolled over in ${seconds.toFixed(1)} s (maxSurge 100): RunInstances ${count('RunInstances')}, TerminateInstances ${count('TerminateInstances')}, DescribeInstances ${count('DescribeInstances')}, reconciles ${controller.metrics.snapshot().histograms.trellis_reconcile_seconds?.count}`,
  );
} finally {
  await controller.stop(1000);
  await aws.close();
  await fake.close();
}
