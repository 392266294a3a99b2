import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function example(script: string): Promise<string> {
  const { TRELLIS_ALICLOUD_LIVE: _live, ...env } = process.env;
  const { stdout } = await run(process.execPath, [join(root, 'src', script)], { cwd: root, env });
  return stdout;
}

describe('Alibaba Cloud examples against the offline fakes', () => {
  it('reconciles a network, creates, reads, lists and deletes a machine in it', async () => {
    const output = await example('machine.ts');
    expect(output).toMatch(/vSwitch vsw-[a-z0-9]+, security group sg-[a-z0-9]+/);
    expect(output).toMatch(/eu-central-1\.i-[0-9a-f]+ (Pending|Running) ecs\.g7\.large in eu-central-1a/);
    expect(output).toContain('creating it again returns the same VM: true');
    expect(output).toContain('listed worker-0');
    expect(output).toContain('deleted');
  });

  it('reconciles and deletes a network', async () => {
    const output = await example('network.ts');
    expect(output).toMatch(/VPC vpc-[a-z0-9]+ \(10\.250\.0\.0\/16\), NAT gateway ngw-[a-z0-9]+/);
    expect(output).toMatch(/vSwitch vsw-[a-z0-9]+ \(nodes\) in eu-central-1a/);
    expect(output).toMatch(/vSwitch vsw-[a-z0-9]+ \(nodes\) in eu-central-1b/);
    expect(output).toMatch(/egress CIDRs: 47\.\d+\.\d+\.\d+\/32, 47\.\d+\.\d+\.\d+\/32/);
    expect(output).toContain('deleted');
  });

  it('saves, lists, fetches and deletes a backup', async () => {
    const output = await example('backup.ts');
    expect(output).toContain('created');
    expect(output).toMatch(/Full-00000000-00000042-\d+/);
    expect(output).toContain('fetched 33000 bytes');
    expect(output).toContain('0 snapshots left');
  });
});
