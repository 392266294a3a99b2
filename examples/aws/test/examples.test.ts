import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function example(script: string): Promise<string> {
  const { TRELLIS_AWS_LIVE: _live, ...env } = process.env;
  const { stdout } = await run(process.execPath, [join(root, 'src', script)], { cwd: root, env });
  return stdout;
}

describe('AWS examples against the offline fakes', () => {
  it('creates, reads, lists and deletes a machine', async () => {
    const output = await example('machine.ts');
    expect(output).toMatch(/aws:\/\/\/eu-west-1a\/i-[0-9a-f]+/);
    expect(output).toContain('creating it again returns the same VM: true');
    expect(output).toContain('listed worker-0');
    expect(output).toContain('deleted');
  });

  it('reconciles and deletes a network', async () => {
    const output = await example('network.ts');
    expect(output).toMatch(/VPC vpc-[0-9a-f]+/);
    expect(output).toMatch(/zone eu-west-1a: nodes subnet-/);
    expect(output).toContain('deleted');
  });

  it('saves, lists, fetches and deletes a backup', async () => {
    const output = await example('backup.ts');
    expect(output).toMatch(/Full-00000000-00000042-\d+/);
    expect(output).toContain('fetched 33000 bytes');
    expect(output).toContain('0 snapshots left');
  });
});
