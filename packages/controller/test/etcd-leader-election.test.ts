import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, startEtcdServer } from '@trellis/etcd-backup';
import { describe, it } from 'vitest';
import { killLeaderOfTwo } from './two-leader-processes.js';

const etcdInstalled = Boolean(findExecutable('etcd'));
if (!etcdInstalled) {
  const message = '!!! etcd not on PATH: the leader election test is SKIPPED';
  if (process.env.CI) throw new Error(`${message}; in CI it must run`);
  console.warn(message);
}

describe.skipIf(!etcdInstalled)('leader election through a real etcd', () => {
  it('lets one of two processes act at a time, and the other take over within the TTL when the leader is killed', async () => {
    const work = await mkdtemp(join(tmpdir(), 'trellis-election-'));
    const etcd = await startEtcdServer({ dataDirectory: join(work, 'etcd') });
    try {
      await killLeaderOfTwo(['etcd', etcd.endpoint]);
    } finally {
      await etcd.stop();
      await rm(work, { recursive: true, force: true });
    }
  });
});
