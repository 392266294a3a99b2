import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Machine } from '@trellis/core';
import { startEc2Fake } from '@trellis/provider-aws/testing';
import { createLocalProvider } from '@trellis/provider-local';
import { describe, expect, it } from 'vitest';
import { POOL_TAG } from '../src/index.js';

const script = fileURLToPath(new URL('./pool-crash-process.ts', import.meta.url));

/** A seeded PRNG, so a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Starts the controller process, kills it with SIGKILL after `killAfterMs` (or lets it converge). */
function runController(options: object, killAfterMs?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

/**
 * Kills the controller `kills` times at seeded random points, then lets it converge. Resolves how
 * many of the killed runs were cut off before they converged (a run that converged first proves
 * nothing, so the callers require most to be cut off).
 */
async function killRepeatedly(options: object, seed: number, kills: number): Promise<number> {
  const next = random(seed);
  let cutOff = 0;
  for (let round = 0; round < kills; round++) {
    const output = await runController(options, 120 + Math.floor(next() * 400));
    if (!output.includes('converged')) cutOff += 1;
  }
  // The last run must converge; one that does not is stopped (a running child would hold the test
  // run open) and its output shown.
  const last = await runController(options, 60_000);
  expect(last.split('\n').slice(-20).join('\n')).toContain('converged');
  return cutOff;
}

describe('the pool reconciler killed at random points of a scale-up', () => {
  it('on the local provider: never more machines than desired, none without the pool tag', async () => {
    const stateDirectory = await mkdtemp(join(tmpdir(), 'trellis-crash-'));
    const local = createLocalProvider({ stateDirectory });
    try {
      await killRepeatedly(
        { provider: 'local', stateDirectory, spec: { machineType: 'local-small' }, replicas: 6 },
        7,
        8,
      );
      const machines: Machine[] = [];
      for await (const machine of local.machines.listMachines({
        cluster: 'crash-test',
        includeTerminated: true,
      }))
        machines.push(machine);
      expect(machines.filter((machine) => machine.phase === 'Running')).toHaveLength(6);
      expect(machines).toHaveLength(6);
      for (const machine of machines) expect(machine.tags[POOL_TAG]).toBe('crash');
    } finally {
      for await (const machine of local.machines.listMachines({
        cluster: 'crash-test',
        includeTerminated: true,
      })) {
        await local.machines.deleteMachine(machine);
      }
      await rm(stateDirectory, { recursive: true, force: true });
    }
  }, 120_000);

  it('on the AWS fake with lost responses and throttling: the same', async () => {
    const fake = await startEc2Fake({ region: 'eu-west-1' });
    const client = new EC2Client({
      endpoint: fake.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDTRELLISFAKE', secretAccessKey: 'trellis-fake-secret' },
      maxAttempts: 1,
    });
    try {
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
      const spec = {
        ami: 'ami-0123456789abcdef0',
        machineType: 'm5.large',
        region: 'eu-west-1',
        iam: { name: 'nodes' },
        networkInterfaces: [{ subnetID: subnet.Subnet!.SubnetId!, securityGroupIDs: [group.GroupId!] }],
      };
      fake.faults.add({ kind: 'lost-response', actions: ['RunInstances'], rate: 0.3 });
      fake.faults.add({ kind: 'throttle', rate: 0.1 });
      const cutOff = await killRepeatedly(
        { provider: 'aws', endpoint: fake.url, spec, replicas: 6, slow: true },
        11,
        8,
      );
      expect(cutOff).toBeGreaterThanOrEqual(4);
      const live = fake.state
        .instances()
        .filter((instance) => instance.state !== 'shutting-down' && instance.state !== 'terminated')
        .filter((instance) => instance.tags['kubernetes.io/cluster/crash-test'] !== undefined);
      expect(live).toHaveLength(6);
      expect(new Set(live.map((instance) => instance.tags.Name)).size).toBe(6);
      for (const instance of live) expect(instance.tags[POOL_TAG]).toBe('crash');
      expect(fake.calls.entries.filter((entry) => entry.fault === 'lost-response').length).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await fake.close();
    }
  }, 180_000);
});
