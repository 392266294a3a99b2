import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function example(script: string): Promise<string> {
  const { TRELLIS_AZURE_LIVE: _live, ...env } = process.env;
  const { stdout } = await run(process.execPath, [join(root, 'src', script)], { cwd: root, env });
  return stdout;
}

describe('Azure examples against the offline ARM fake and Azurite', () => {
  it('reconciles a network, creates, reads, lists and deletes a machine in it', async () => {
    const output = await example('machine.ts');
    expect(output).toContain('resource group example-machines, subnet example-machines-nodes 10.250.0.0/19');
    expect(output).toContain('azure:///westeurope/worker-0 Running Standard_D2s_v5 in zone westeurope-1');
    expect(output).toContain(
      'Kubernetes Node providerID: azure:///subscriptions/00000000-0000-4000-8000-00000000e0a1/resourceGroups/example-machines/providers/Microsoft.Compute/virtualMachines/worker-0',
    );
    expect(output).toContain('creating it again returns the same VM: true');
    // The VM's address is in the nodes subnet the network step made.
    expect(output).toMatch(/addresses InternalIP=10\.250\.\d+\.\d+/);
    expect(output).toContain('listed worker-0');
    expect(output).toContain('deleted');
  });

  it('reconciles and deletes a network with a subnet and NAT gateway per zone', async () => {
    const output = await example('network.ts');
    expect(output).toContain('resource group example-network, VNet example-network (MultipleSubnet)');
    expect(output).toContain(
      'subnet example-network-nodes-z1 zone 1 10.250.0.0/19 via example-network-nat-gateway-z1',
    );
    expect(output).toContain(
      'subnet example-network-nodes-z2 zone 2 10.250.32.0/19 via example-network-nat-gateway-z2',
    );
    expect(output).toMatch(/outbound NATGateway, egress \d+\.\d+\.\d+\.\d+\/32, \d+\.\d+\.\d+\.\d+\/32/);
    expect(output).toContain('deleted');
  });

  it('saves, lists, fetches and deletes a backup in Azurite', async () => {
    const output = await example('backup.ts');
    expect(output).toContain('created');
    expect(output).toMatch(/example-etcd\/v2\/Full-00000000-00000042-\d+ \(33000 bytes, md5:/);
    expect(output).toContain('fetched 33000 bytes');
    expect(output).toContain('0 snapshots left');
  });
});
