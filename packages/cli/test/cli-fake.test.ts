import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createWorkspace, parseJson, runCli, startCli, waitFor } from './run-cli.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface FakeDescription {
  endpoints: Record<string, string>;
  config: { provider: string; providerSettings: { region: string; credentials: Record<string, string> } };
  environment: Record<string, string>;
}

/**
 * Runs `trellis -o json fake <args>` in a new workspace and waits for the description it prints.
 */
async function startFake(args: string[]) {
  const workspace = await createWorkspace();
  cleanups.push(workspace.remove);
  const fake = startCli(workspace.directory, ['-o', 'json', 'fake', ...args]);
  let printed = '';
  fake.child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  await waitFor(() => printed.trim().endsWith('}'));
  return { workspace, fake, description: parseJson<FakeDescription>(printed) };
}

describe('trellis fake', () => {
  it('starts the AWS fakes, prints working settings, serves the SDK and the CLI, and stops on Ctrl-C', async () => {
    const { workspace, fake, description } = await startFake(['aws', '--faults', 'latency:1']);
    expect(description.endpoints.ec2).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const ec2 = new EC2Client({
      endpoint: description.endpoints.ec2,
      region: description.config.providerSettings.region,
      credentials: {
        accessKeyId: description.environment.AWS_ACCESS_KEY_ID!,
        secretAccessKey: description.environment.AWS_SECRET_ACCESS_KEY!,
      },
    });
    expect((await ec2.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
    ec2.destroy();

    await writeFile(
      join(workspace.directory, 'trellis.yaml'),
      stringify({ ...description.config, cluster: 'demo' }),
    );
    const listed = await runCli(workspace.directory, ['-o', 'json', 'machine', 'list']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(parseJson(listed.stdout)).toEqual([]);

    fake.child.kill('SIGINT');
    const result = await fake.result;
    expect(result.code).toBe(0);
  });

  it('starts the GCP fake, and `trellis infra` reconciles and deletes a GCP network against it', async () => {
    const { workspace, fake, description } = await startFake(['gcp']);
    expect(description.endpoints.iam).toBe(description.endpoints.compute);
    await writeFile(
      join(workspace.directory, 'trellis.yaml'),
      stringify({
        ...description.config,
        cluster: 'cli-gcp',
        infrastructure: { networks: { workers: '10.250.0.0/16' } },
      }),
    );
    const reconciled = await runCli(workspace.directory, ['-o', 'json', 'infra', 'reconcile']);
    expect(reconciled.stderr).toBe('');
    expect(reconciled.code).toBe(0);
    expect(parseJson<{ status: Record<string, unknown> }>(reconciled.stdout).status).toMatchObject({
      networkName: 'cli-gcp',
      natName: 'cli-gcp-cloud-nat',
      subnetworks: [{ name: 'cli-gcp-nodes', purpose: 'nodes', cidr: '10.250.0.0/16' }],
    });
    const networks = (await (
      await fetch(`${description.endpoints.compute}/compute/v1/projects/trellis-fake/global/networks`)
    ).json()) as { items?: Array<{ name: string }> };
    expect(networks.items?.map((network) => network.name)).toEqual(['cli-gcp']);

    const deleted = await runCli(workspace.directory, ['-o', 'json', 'infra', 'delete']);
    expect(deleted.code).toBe(0);
    const after = (await (
      await fetch(`${description.endpoints.compute}/compute/v1/projects/trellis-fake/global/networks`)
    ).json()) as { items?: unknown[] };
    expect(after.items).toBeUndefined();
    fake.child.kill('SIGINT');
    expect((await fake.result).code).toBe(0);
  });

  it('starts the Azure fake, and `trellis infra` reconciles and deletes an Azure network against it', async () => {
    const { workspace, fake, description } = await startFake(['azure']);
    expect(description.endpoints.resourceManager).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await writeFile(
      join(workspace.directory, 'trellis.yaml'),
      stringify({
        ...description.config,
        cluster: 'cli-azure',
        infrastructure: { networks: { workers: '10.250.0.0/19', natGateway: { enabled: true } } },
      }),
    );
    const reconciled = await runCli(workspace.directory, ['-o', 'json', 'infra', 'reconcile']);
    expect(reconciled.stderr).toBe('');
    expect(reconciled.code).toBe(0);
    expect(parseJson<{ status: Record<string, unknown> }>(reconciled.stdout).status).toMatchObject({
      resourceGroup: { name: 'cli-azure' },
      networks: {
        layout: 'SingleSubnet',
        outboundAccessType: 'NATGateway',
        subnets: [{ name: 'cli-azure-nodes' }],
      },
    });
    const deleted = await runCli(workspace.directory, ['-o', 'json', 'infra', 'delete']);
    expect(deleted.stderr).toBe('');
    expect(deleted.code).toBe(0);
    fake.child.kill('SIGINT');
    expect((await fake.result).code).toBe(0);
  });

  it('starts the Alibaba Cloud fakes (with throttling), and `trellis infra` reconciles and deletes a network against them', async () => {
    const { workspace, fake, description } = await startFake(['alicloud', '--faults', 'throttle:0.1']);
    expect(Object.keys(description.endpoints).sort()).toEqual(['ecs', 'oss', 'vpc']);
    expect(description.environment.ALIBABA_CLOUD_ACCESS_KEY_ID).toBe(
      description.config.providerSettings.credentials.accessKeyId,
    );
    await writeFile(
      join(workspace.directory, 'trellis.yaml'),
      stringify({
        ...description.config,
        cluster: 'cli-alicloud',
        infrastructure: {
          networks: {
            vpc: { cidr: '10.250.0.0/16' },
            zones: [{ name: 'eu-central-1a', workers: '10.250.0.0/19' }],
          },
        },
      }),
    );
    const reconciled = await runCli(workspace.directory, ['-o', 'json', 'infra', 'reconcile']);
    expect(reconciled.stderr).toBe('');
    expect(reconciled.code).toBe(0);
    const { status } = parseJson<{
      status: { vpc: { cidr: string; vswitches: unknown[] }; egressCIDRs: string[] };
    }>(reconciled.stdout);
    expect(status.vpc).toMatchObject({
      cidr: '10.250.0.0/16',
      vswitches: [{ purpose: 'nodes', zone: 'eu-central-1a' }],
    });
    expect(status.egressCIDRs).toHaveLength(1);
    const deleted = await runCli(workspace.directory, ['-o', 'json', 'infra', 'delete']);
    expect(deleted.stderr).toBe('');
    expect(deleted.code).toBe(0);
    fake.child.kill('SIGINT');
    expect((await fake.result).code).toBe(0);
  });

  it('rejects a bad fault spec, a bad port and the local provider before starting anything', async () => {
    const workspace = await createWorkspace();
    cleanups.push(workspace.remove);
    const badFault = await runCli(workspace.directory, ['fake', 'aws', '--faults', 'throttle:2']);
    expect(badFault.code).toBe(2);
    expect(badFault.stderr).toContain('--faults[0]: rate 2 must lie in 0..1');
    const badKind = await runCli(workspace.directory, ['fake', 'aws', '--faults', 'explode']);
    expect(badKind.stderr).toContain('unknown fault kind "explode"');
    const badPort = await runCli(workspace.directory, ['fake', 'aws', '--port', '70000']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port: 70000 is not a port');
    const local = await runCli(workspace.directory, ['fake', 'local']);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('needs no fake');
    const missing = await runCli(workspace.directory, ['fake', 'nosuchcloud']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('provider "nosuchcloud" is not installed');
  });
});

describe('provider resolution', () => {
  it('loads a provider installed in the working directory, not only next to the CLI', async () => {
    const workspace = await createWorkspace({ 'package.json': '{"name":"project","private":true}' });
    cleanups.push(workspace.remove);
    const packageDirectory = join(workspace.directory, 'node_modules', '@trellis', 'provider-tempcloud');
    await mkdir(packageDirectory, { recursive: true });
    await writeFile(
      join(packageDirectory, 'package.json'),
      JSON.stringify({ name: '@trellis/provider-tempcloud', type: 'module', exports: { '.': './index.js' } }),
    );
    await writeFile(
      join(packageDirectory, 'index.js'),
      `const schema = { parse: (v) => v, validate: (v) => ({ success: true, data: v }), toJsonSchema: () => ({ type: 'object', title: 'tempcloud' }) };
export const providerDefinition = { type: 'tempcloud', schemas: { machineClass: schema, infrastructureConfig: schema, backupConfig: schema }, create() { throw new Error('not needed'); } };`,
    );
    const result = await runCli(workspace.directory, ['--provider', 'tempcloud', 'config', 'schema']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(
      parseJson<{ properties: Record<string, { title?: string }> }>(result.stdout).properties.machineClass
        ?.title,
    ).toBe('tempcloud');
  });
});
