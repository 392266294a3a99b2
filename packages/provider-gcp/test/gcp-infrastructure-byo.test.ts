import { TrellisError } from '@trellis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  computeCall,
  type InfrastructureHarness,
  inventoryOf,
  managedConfig,
  PROJECT,
  REGION,
  startInfrastructureHarness,
} from './gcp-infrastructure-harness.js';

let harness: InfrastructureHarness;
beforeEach(async () => {
  harness = await startInfrastructureHarness();
});
afterEach(() => harness.close());

const routerPath = `projects/${PROJECT}/regions/${REGION}/routers/shared-router`;
const networkPath = `projects/${PROJECT}/global/networks/shared-vpc`;

/** A user's VPC with a subnet of its own and a router carrying the user's own NAT. */
async function userVpc(): Promise<void> {
  await harness.createForeignNetwork('shared-vpc');
  await computeCall(harness.fake, 'POST', `regions/${REGION}/subnetworks`, {
    name: 'user-subnet',
    network: 'global/networks/shared-vpc',
    ipCidrRange: '10.10.0.0/24',
  });
  await computeCall(harness.fake, 'POST', `regions/${REGION}/routers`, {
    name: 'shared-router',
    network: 'global/networks/shared-vpc',
    nats: [
      {
        name: 'user-nat',
        natIpAllocateOption: 'AUTO_ONLY',
        sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
        subnetworks: [
          { name: `regions/${REGION}/subnetworks/user-subnet`, sourceIpRangesToNat: ['ALL_IP_RANGES'] },
        ],
      },
    ],
  });
}

const natNames = () =>
  ((harness.fake.resources().get(routerPath)?.nats as Array<{ name: string }> | undefined) ?? []).map(
    (nat) => nat.name,
  );

describe('GCP infrastructure in a VPC the user brings', () => {
  it('adds subnets, firewalls and a NAT to the user’s router, and deletes only those', async () => {
    await userVpc();
    const before = inventoryOf(harness.fake);
    const config = managedConfig({
      networks: {
        workers: '10.250.0.0/16',
        vpc: { name: 'shared-vpc', cloudRouter: { name: 'shared-router' } },
      },
    });
    const request = { cluster: 'byo', region: REGION, config };
    const { status, state } = await harness.provider.reconcile(request);

    expect(status).toMatchObject({
      networkId: 'shared-vpc',
      networkManaged: false,
      router: { name: 'shared-router', managed: false },
    });
    const subnet = harness.fake
      .resources()
      .get(`projects/${PROJECT}/regions/${REGION}/subnetworks/byo-nodes`);
    expect(String(subnet?.network)).toMatch(/\/global\/networks\/shared-vpc$/);
    expect(natNames()).toEqual(['user-nat', 'byo-cloud-nat']);
    const firewall = harness.fake
      .resources()
      .get(`projects/${PROJECT}/global/firewalls/byo-allow-external-access`);
    // Only the cluster's nodes are opened in a shared VPC.
    expect(firewall?.targetTags).toEqual(['kubernetes-io-cluster-byo']);

    await harness.provider.delete({ ...request, state });
    expect(inventoryOf(harness.fake)).toEqual(before);
    expect(harness.fake.resources().has(networkPath)).toBe(true);
    expect(natNames()).toEqual(['user-nat']);
  });

  it('creates its own router in the user’s VPC when none is named, and deletes it', async () => {
    await userVpc();
    const before = inventoryOf(harness.fake);
    const request = {
      cluster: 'byo-router',
      region: REGION,
      config: managedConfig({ networks: { workers: '10.250.0.0/16', vpc: { name: 'shared-vpc' } } }),
    };
    const { status, state } = await harness.provider.reconcile(request);
    expect(status.router).toEqual({ name: 'byo-router-cloud-router', managed: true });
    expect(
      harness.fake.resources().has(`projects/${PROJECT}/regions/${REGION}/routers/byo-router-cloud-router`),
    ).toBe(true);
    await harness.provider.delete({ ...request, state });
    expect(inventoryOf(harness.fake)).toEqual(before);
  });

  it('rejects a VPC or a router that does not exist, creating nothing', async () => {
    const missingNetwork = await harness.provider
      .reconcile({
        cluster: 'byo-missing',
        region: REGION,
        config: managedConfig({ networks: { workers: '10.250.0.0/16', vpc: { name: 'nope' } } }),
      })
      .catch((error: unknown) => error);
    expect(TrellisError.hasCode(missingNetwork, 'InvalidArgument')).toBe(true);
    expect((missingNetwork as TrellisError).issues?.map((issue) => issue.path)).toEqual([
      'networks.vpc.name',
    ]);

    await harness.createForeignNetwork('other-vpc');
    const missingRouter = await harness.provider
      .reconcile({
        cluster: 'byo-missing',
        region: REGION,
        config: managedConfig({
          networks: { workers: '10.250.0.0/16', vpc: { name: 'other-vpc', cloudRouter: { name: 'nope' } } },
        }),
      })
      .catch((error: unknown) => error);
    expect((missingRouter as TrellisError).issues?.map((issue) => issue.path)).toEqual([
      'networks.vpc.cloudRouter.name',
    ]);
    const missingAddress = await harness.provider
      .reconcile({
        cluster: 'byo-missing',
        region: REGION,
        config: managedConfig({
          networks: { workers: '10.250.0.0/16', cloudNAT: { natIPNames: [{ name: 'nope' }] } },
        }),
      })
      .catch((error: unknown) => error);
    expect((missingAddress as TrellisError).issues?.map((issue) => issue.path)).toEqual([
      'networks.cloudNAT.natIPNames[0].name',
    ]);
    expect(inventoryOf(harness.fake).filter((name) => name.startsWith('byo-missing'))).toEqual([]);
  });

  it('uses a service account the user names and never deletes it; none at all with "none"', async () => {
    const email = `user-nodes@${PROJECT}.iam.gserviceaccount.com`;
    const named = { cluster: 'byo-sa', region: REGION, config: managedConfig({ serviceAccount: { email } }) };
    const first = await harness.provider.reconcile(named);
    expect(first.status.identity).toBe(email);
    expect(harness.fake.serviceAccounts().size).toBe(0);
    await harness.provider.delete({ ...named, state: first.state });

    const none = { cluster: 'byo-none', region: REGION, config: managedConfig({ serviceAccount: 'none' }) };
    const second = await harness.provider.reconcile(none);
    expect(second.status.identity).toBeUndefined();
    expect(harness.fake.serviceAccounts().size).toBe(0);
    await harness.provider.delete({ ...none, state: second.state });
    expect(inventoryOf(harness.fake)).toEqual([]);
  });
});
