// One controller process of the leader-election test: campaigns, prints "leader <identity>" when it
// leads, then acts (prints "acting <identity>" every 100 ms) until killed. Runs the built package.
import { electLeaderWithEtcd } from '@trellis/controller';

const [endpoint, identity] = process.argv.slice(2);
const election = await electLeaderWithEtcd({
  endpoints: [endpoint!],
  name: 'pools',
  identity: identity!,
  ttlSeconds: 2,
});
await election.whenLeader();
console.log(`leader ${identity}`);
election.onLost(() => {
  console.log(`lost ${identity}`);
  process.exit(3);
});
setInterval(() => console.log(`acting ${identity}`), 100);
process.once('SIGTERM', () => void election.resign().then(() => process.exit(0)));
