// Takes one full snapshot in a fresh process so its peak RSS is the snapshot's alone.
// Usage: node bench/full-snapshot-child.mjs <endpoint> <bucket directory> <state directory>
import { createLocalProvider } from '@trellis/provider-local';
import { createEtcdClient, takeFullSnapshot } from '../dist/index.mjs';

const [endpoint, directory, stateDirectory] = process.argv.slice(2);
const client = createEtcdClient({ endpoints: [endpoint] });
const store = createLocalProvider({ stateDirectory }).backupStore({ directory, prefix: 'bench' });
const rssAfterImports = process.resourceUsage().maxRSS * 1024;
const started = process.hrtime.bigint();
const snapshot = await takeFullSnapshot({ client, store });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
client.close();
process.stdout.write(
  JSON.stringify({
    name: snapshot.name,
    seconds,
    rssAfterImports,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
