import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable, startEtcdServer } from '@trellis/etcd-backup';
import { describe, expect, it } from 'vitest';

const etcdInstalled = Boolean(findExecutable('etcd'));
if (!etcdInstalled) {
  const message = '!!! etcd not on PATH: the leader election test is SKIPPED';
  if (process.env.CI) throw new Error(`${message}; in CI it must run`);
  console.warn(message);
}

const script = fileURLToPath(new URL('./leader-process.ts', import.meta.url));

describe.skipIf(!etcdInstalled)('leader election through a real etcd', () => {
  it('lets one of two processes act at a time, and the other take over within the TTL when the leader is killed', async () => {
    const work = await mkdtemp(join(tmpdir(), 'trellis-election-'));
    const etcd = await startEtcdServer({ dataDirectory: join(work, 'etcd') });
    const output: string[] = [];
    const start = (identity: string): ChildProcess => {
      const child = spawn(process.execPath, [script, etcd.endpoint, identity], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout!.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').trim().split('\n')));
      return child;
    };
    const until = async (check: () => boolean, timeoutMs = 20_000) => {
      const end = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > end) throw new Error(`not in time; output: ${output.slice(-5).join(' | ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const first = start('first');
    const second = start('second');
    try {
      await until(() => output.some((line) => line.startsWith('leader ')));
      const leaderName = output.find((line) => line.startsWith('leader '))!.split(' ')[1]!;
      const [leader, follower] = leaderName === 'first' ? [first, second] : [second, first];
      const followerName = leaderName === 'first' ? 'second' : 'first';
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Only the leader acts.
      expect(output.filter((line) => line === `acting ${followerName}`)).toEqual([]);
      expect(output.filter((line) => line === `acting ${leaderName}`).length).toBeGreaterThan(1);
      leader.kill('SIGKILL');
      await until(() => output.includes(`leader ${followerName}`));
      const killedAt = output.lastIndexOf(`acting ${leaderName}`);
      const tookOverAt = output.indexOf(`leader ${followerName}`);
      expect(tookOverAt).toBeGreaterThan(killedAt);
      follower.kill('SIGTERM');
    } finally {
      first.kill('SIGKILL');
      second.kill('SIGKILL');
      await etcd.stop();
      await rm(work, { recursive: true, force: true });
    }
  });
});
