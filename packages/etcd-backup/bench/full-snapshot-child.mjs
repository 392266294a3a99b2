// Takes one full snapshot in a fresh process so its peak RSS is the snapshot's alone.
// Usage: node bench/full-snapshot-child.mjs <endpoint> <bucket directory> <state directory>
import { readFileSync } from 'node:fs';
import { createLocalProvider } from '@trellis/provider-local';
import { createEtcdClient, takeFullSnapshot } from '../dist/index.mjs';

const [endpoint, directory, stateDirectory] = process.argv.slice(2);
const client = createEtcdClient({ endpoints: [endpoint] });
const store = createLocalProvider({ stateDirectory }).backupStore({ directory, prefix: 'bench' });
/**
 * Peak RSS of this process. On Linux, getrusage's maxRSS keeps the parent's RSS at the fork
 * this process was spawned from (the bench's own, over 100 MiB once it has filled etcd), so
 * read the kernel's high-water mark of this program's own memory instead.
 */
function peakRss() {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib) return Number(kib) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

const rssAfterImports = peakRss();
const started = process.hrtime.bigint();
const snapshot = await takeFullSnapshot({ client, store });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
client.close();
process.stdout.write(
  JSON.stringify({
    name: snapshot.name,
    seconds,
    rssAfterImports,
    maxRssBytes: peakRss(),
  }),
);
