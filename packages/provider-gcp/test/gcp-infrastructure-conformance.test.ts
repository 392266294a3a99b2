import { FirewallsClient, NetworksClient, RoutersClient, SubnetworksClient } from '@google-cloud/compute';
import { infrastructureProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
import { describe } from 'vitest';
import { createGcpProvider } from '../src/index.js';
import {
  infrastructureSubject,
  invalidConfigs,
  managedConfig,
  startInfrastructureHarness,
} from './gcp-infrastructure-harness.js';

infrastructureProviderConformance({
  name: 'GCP infrastructure against the offline GCE and IAM fake',
  timeoutMs: 300_000,
  setup: async () => infrastructureSubject(await startInfrastructureHarness()),
});

infrastructureProviderConformance({
  name: 'GCP infrastructure with 10% throttling and 10% 5xx on every call',
  timeoutMs: 600_000,
  async setup() {
    const harness = await startInfrastructureHarness({ seed: 11 });
    const faultsHit = injectFaultShare(harness.fake);
    const subject = await infrastructureSubject(harness);
    return {
      ...subject,
      async cleanup() {
        await harness.close();
        // The suite proves nothing unless faults really hit it.
        faultsHit();
      },
    };
  },
});

const live = process.env.TRELLIS_GCP_LIVE === '1';
const liveProject = process.env.GOOGLE_CLOUD_PROJECT ?? '';
const liveRegion = process.env.TRELLIS_GCP_REGION ?? 'europe-west1';
describe.skipIf(!live)(
  'live GCP (set TRELLIS_GCP_LIVE=1, GOOGLE_CLOUD_PROJECT and Application Default Credentials to run; creates VPC networks, Cloud NATs and service accounts)',
  () => {
    infrastructureProviderConformance({
      name: `GCP infrastructure against real GCP in ${liveProject}/${liveRegion}`,
      timeoutMs: 3_600_000,
      skip: {
        'interrupted-reconcile-resumes':
          'one run per step of global operations takes too long against real GCP; run against the fake',
      },
      async setup() {
        const gcp = createGcpProvider({ project: liveProject, region: liveRegion });
        const clients = {
          networks: new NetworksClient(),
          subnetworks: new SubnetworksClient(),
          routers: new RoutersClient(),
          firewalls: new FirewallsClient(),
        };
        const names = (items: Array<{ name?: string | null }>) => items.map((item) => item.name ?? '');
        return {
          provider: gcp.infrastructure,
          region: liveRegion,
          config: managedConfig(),
          invalidConfigs,
          // The project's networks, the region's subnetworks and routers, and every firewall rule.
          inventory: async () =>
            [
              ...names((await clients.networks.list({ project: liveProject }))[0]),
              ...names((await clients.subnetworks.list({ project: liveProject, region: liveRegion }))[0]),
              ...names((await clients.routers.list({ project: liveProject, region: liveRegion }))[0]),
              ...names((await clients.firewalls.list({ project: liveProject }))[0]),
            ].sort(),
          async cleanup() {
            await Promise.all(Object.values(clients).map((client) => client.close()));
          },
        };
      },
    });
  },
);
