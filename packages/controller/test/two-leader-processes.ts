import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const script = fileURLToPath(new URL('./leader-process.ts', import.meta.url));

/**
 * Starts two `leader-process.ts` campaigns (`first`, `second`) with `args` before the identity,
 * checks that only the leader acts, SIGKILLs it, and checks that the other takes over only after the
 * killed one's last act. Resolves the names in the order they led.
 */
export async function killLeaderOfTwo(args: readonly string[]): Promise<[string, string]> {
  const output: string[] = [];
  const start = (identity: string): ChildProcess => {
    const child = spawn(process.execPath, [script, ...args, identity], {
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
    expect(output).not.toContain(`lost ${followerName}`);
    follower.kill('SIGTERM');
    return [leaderName, followerName];
  } finally {
    first.kill('SIGKILL');
    second.kill('SIGKILL');
  }
}
