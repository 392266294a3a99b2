// One controller process of the leader-election tests: campaigns (through etcd, or a Kubernetes
// Lease), prints "leader <identity>" when it leads, then acts (prints "acting <identity>" every
// 100 ms) until killed. Runs the built package.
//   node leader-process.ts etcd <endpoint> <identity>
//   node leader-process.ts lease <kubeconfig file> <identity>
import { electLeaderWithEtcd, electLeaderWithLease } from '@trellis/controller';

const [kind, where, identity] = process.argv.slice(2) as [string, string, string];
const election =
  kind === 'etcd'
    ? await electLeaderWithEtcd({ endpoints: [where], name: 'pools', identity, ttlSeconds: 2 })
    : await electLeaderWithLease({
        kubeConfig: { file: where },
        namespace: 'default',
        name: 'pools',
        identity,
        leaseDurationSeconds: 3,
        renewDeadlineSeconds: 2,
        retryPeriodSeconds: 0.5,
      });
await election.whenLeader();
console.log(`leader ${identity}`);
election.onLost(() => {
  console.log(`lost ${identity}`);
  process.exit(3);
});
setInterval(() => console.log(`acting ${identity}`), 100);
process.once('SIGTERM', () => void election.resign().then(() => process.exit(0)));
