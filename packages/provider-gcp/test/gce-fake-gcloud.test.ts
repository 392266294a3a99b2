import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcpInfrastructureProvider, createGcpMachineProvider } from '../src/index.js';
import { type GceFake, startGceFake } from '../src/testing/index.js';
import { FAST_TIMING, infrastructureContext, managedConfig, REGION } from './gcp-infrastructure-harness.js';
import { contextFor, machineClass, PROJECT, ZONE } from './gcp-machine-harness.js';

const GCLOUD = '/usr/bin/gcloud';
const cliMissing = !existsSync(GCLOUD);
if (cliMissing) {
  console.warn(
    `\n!!! ${GCLOUD} is missing: the gcloud cross-check of the GCE fake is SKIPPED (apt-get install google-cloud-cli) !!!\n`,
  );
}

const run = promisify(execFile);

describe.skipIf(cliMissing)('GCE fake: the real gcloud CLI', () => {
  let fake: GceFake;
  let config: string;
  const gcloud = async (...args: string[]) =>
    (
      await run(GCLOUD, args, {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: config, CLOUDSDK_CONFIG: config },
        timeout: 120_000,
      })
    ).stdout;

  beforeAll(async () => {
    fake = await startGceFake();
    config = await mkdtemp(join(tmpdir(), 'trellis-gcloud-'));
    await gcloud('config', 'set', 'core/disable_usage_reporting', 'true');
    await gcloud('config', 'set', 'component_manager/disable_update_check', 'true');
    await gcloud('config', 'set', 'api_endpoint_overrides/compute', `${fake.url}/compute/v1/`);
    await gcloud('config', 'set', 'auth/disable_credentials', 'true');
    await gcloud('config', 'set', 'core/project', PROJECT);
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    if (config) await rm(config, { recursive: true, force: true });
  });

  it('lists and describes what the provider created', async () => {
    const context = contextFor(fake);
    const machines = createGcpMachineProvider(context);
    await machines.createMachine({ cluster: 'gcloud', name: 'seen-by-gcloud', spec: machineClass('gcloud') });
    const listed = JSON.parse(await gcloud('compute', 'instances', 'list', '--format=json')) as Array<
      Record<string, unknown>
    >;
    expect(listed.map((instance) => instance.name)).toContain('seen-by-gcloud');
    const described = JSON.parse(
      await gcloud('compute', 'instances', 'describe', 'seen-by-gcloud', '--zone', ZONE, '--format=json'),
    ) as { labels: Record<string, string>; status: string; tags: { items: string[] } };
    expect(described.status).toBe('RUNNING');
    expect(described.labels['k8s-cluster-name']).toBe('gcloud');
    expect(described.tags.items).toContain('kubernetes-io-cluster-gcloud');
    const table = await gcloud('compute', 'instances', 'list');
    expect(table).toMatch(/seen-by-gcloud\s+europe-west1-b\s+n2-standard-2/);
    await machines.deleteMachine({ cluster: 'gcloud', name: 'seen-by-gcloud' });
    await context.clients.close();
  }, 180_000);

  it('lists the network, subnets, router with its NAT and firewall rules a reconcile made', async () => {
    const infrastructure = createGcpInfrastructureProvider(infrastructureContext(fake), FAST_TIMING);
    const request = { cluster: 'gcloud-net', region: REGION, config: managedConfig() };
    const { state } = await infrastructure.reconcile(request);
    const json = async (...args: string[]) =>
      (JSON.parse(await gcloud(...args, '--format=json')) as Array<Record<string, unknown>>)
        .map((item) => item.name)
        .sort();
    expect(await json('compute', 'networks', 'list')).toEqual(['gcloud-net']);
    expect(await json('compute', 'networks', 'subnets', 'list', '--regions', REGION)).toEqual([
      'gcloud-net-internal',
      'gcloud-net-nodes',
    ]);
    expect(
      await json(
        'compute',
        'routers',
        'nats',
        'list',
        '--router',
        'gcloud-net-cloud-router',
        '--region',
        REGION,
      ),
    ).toEqual(['gcloud-net-cloud-nat']);
    expect(await json('compute', 'firewall-rules', 'list')).toEqual(
      expect.arrayContaining(['gcloud-net-allow-internal-access', 'gcloud-net-allow-health-checks']),
    );
    await infrastructure.delete({ ...request, state });
    expect(await json('compute', 'networks', 'list')).toEqual([]);
  }, 180_000);
});
