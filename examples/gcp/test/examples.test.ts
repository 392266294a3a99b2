import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function example(script: string): Promise<string> {
  const { TRELLIS_GCP_LIVE: _live, ...env } = process.env;
  const { stdout } = await run(process.execPath, [join(root, 'src', script)], { cwd: root, env });
  return stdout;
}

describe('GCP examples against the offline fakes', () => {
  it('reconciles a network, creates, reads, lists and deletes a machine in it', async () => {
    const output = await example('machine.ts');
    expect(output).toContain(
      'subnet example-machines-nodes, service account example-machines@trellis-example.iam.gserviceaccount.com',
    );
    expect(output).toMatch(/gce:\/\/\/trellis-example\/europe-west1-b\/worker-0/);
    expect(output).toContain('creating it again returns the same VM: true');
    // The VM's address is in the nodes subnet the network example made.
    expect(output).toMatch(/addresses InternalIP=10\.250\.\d+\.\d+/);
    expect(output).toContain('listed worker-0');
    expect(output).toContain('deleted');
  });

  it('reconciles and deletes a network', async () => {
    const output = await example('network.ts');
    expect(output).toContain(
      'network example-network, router example-network-cloud-router, NAT example-network-cloud-nat',
    );
    expect(output).toContain('subnet example-network-nodes (nodes) 10.250.0.0/16');
    expect(output).toContain('subnet example-network-internal (internal) 10.251.0.0/16');
    expect(output).toMatch(/egress addresses: \d+\.\d+\.\d+\.\d+/);
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
