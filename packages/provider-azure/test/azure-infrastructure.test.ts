import { NetworkManagementClient } from '@azure/arm-network';
import type { PipelineRequest, SendRequest } from '@azure/core-rest-pipeline';
import { type InfrastructureState, TrellisError } from '@trellis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  azureInfrastructureConfigSchema,
  createAzureInfrastructureProvider,
  createAzureProviderContext,
} from '../src/index.js';
import type { ArmFake } from '../src/testing/index.js';
import { armRequest } from './arm-request.js';
import {
  createUserVnet,
  infrastructureProvider,
  inventoryOf,
  LOCATION,
  SUBSCRIPTION,
  singleSubnetConfig,
  startInfrastructureFake,
  zonedConfig,
} from './azure-infrastructure-harness.js';

let fake: ArmFake;
beforeEach(async () => {
  fake = await startInfrastructureFake();
});
afterEach(() => fake.close());

const resource = (name: string) => fake.resources().find((entry) => entry.name === name);
const addressSpace = (name: string) =>
  (resource(name)?.properties.addressSpace as { addressPrefixes?: string[] } | undefined)?.addressPrefixes;
const issuesOf = (config: unknown) => {
  const result = azureInfrastructureConfigSchema.validate(config);
  return result.success ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
};

describe('Azure infrastructure config', () => {
  it('reports every broken Gardener rule with its field path', () => {
    expect(
      issuesOf({
        resourceGroup: { name: 'mine' },
        networks: {
          vnet: { name: 'theirs', cidr: '10.0.0.0/8' },
          workers: '10.250.0.0/19',
          zones: [{ name: 1, cidr: '10.250.0.0/19' }],
          natGateway: { enabled: false, idleConnectionTimeoutMinutes: 10 },
        },
        podsCidr: '10.250.0.0/16',
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^resourceGroup: specifying an existing resource group is not supported/),
        'networks.vnet.resourceGroup: is required with networks.vnet.name',
        'networks.vnet.cidr: cannot be set for a VNet you bring (networks.vnet.name)',
        expect.stringMatching(/^networks.workers: exactly one of networks.workers/),
        'zoned: must be true with networks.zones',
        expect.stringMatching(/^networks.natGateway: is for one subnet/),
        'networks.natGateway.idleConnectionTimeoutMinutes: cannot be set when the NAT gateway is not enabled',
        expect.stringMatching(/^podsCidr: "10.250.0.0\/16" overlaps networks.workers/),
      ]),
    );
    expect(
      issuesOf({
        zoned: true,
        networks: {
          vnet: { cidr: '10.250.0.0/16' },
          zones: [
            { name: 1, cidr: '10.250.0.0/19' },
            { name: 1, cidr: '10.250.16.0/20' },
          ],
        },
      }),
    ).toEqual([
      'networks.zones[1].name: zone 1 is listed twice',
      'networks.zones[1].cidr: "10.250.16.0/20" overlaps networks.zones[0].cidr ("10.250.0.0/19")',
    ]);
    expect(
      issuesOf({
        networks: {
          workers: '10.250.0.0/19',
          natGateway: { enabled: true, sku: 'StandardV2', zone: 1 },
          serviceEndpoints: ['Storage'],
        },
      }),
    ).toEqual([
      'networks.serviceEndpoints[0]: must be 9-120 characters',
      'networks.serviceEndpoints[0]: must be a service endpoint (Microsoft.<Service>)',
      'networks.natGateway.zone: cannot be set with sku StandardV2 (zone-redundant)',
    ]);
    expect(issuesOf(singleSubnetConfig())).toEqual([]);
    expect(issuesOf(zonedConfig())).toEqual([]);
  });

  it('rejects changes the update rules forbid, naming each field, before any call', async () => {
    const provider = infrastructureProvider(fake);
    const { state } = await provider.reconcile({
      cluster: 'update',
      region: LOCATION,
      config: zonedConfig(),
    });
    const calls = fake.calls.count();
    const changed = zonedConfig();
    changed.zoned = true;
    changed.networks.vnet = { cidr: '10.250.0.0/17' };
    changed.networks.zones = [{ name: 1, cidr: '10.250.0.0/20' }];
    const error = await provider
      .reconcile({ cluster: 'update', region: LOCATION, config: changed, state })
      .catch((caught: unknown) => caught as TrellisError);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect((error as TrellisError).issues?.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'networks.vnet.cidr: may only grow: it must contain the current "10.250.0.0/16"',
      'networks.zones[0].cidr: is immutable',
      'networks.zones: zone 2 cannot be removed',
    ]);
    expect(fake.calls.count()).toBe(calls);
    // Growing the VNet and adding a zone is allowed.
    const grown = zonedConfig();
    grown.networks.vnet = { cidr: '10.248.0.0/14' };
    grown.networks.zones!.push({ name: 3, cidr: '10.248.0.0/19' });
    const next = await provider.reconcile({ cluster: 'update', region: LOCATION, config: grown, state });
    expect(next.status.subnets.map((subnet) => subnet.zone)).toEqual(['1', '2', '3']);
    expect(addressSpace('update')).toEqual(['10.248.0.0/14']);
  });
});

describe('Azure infrastructure', () => {
  it("makes Gardener's resources for one subnet, tagged, and reports Gardener's status", async () => {
    const provider = infrastructureProvider(fake);
    const { status, state } = await provider.reconcile({
      cluster: 'single',
      region: LOCATION,
      config: singleSubnetConfig(),
    });
    const group = fake.resourceGroups().find((entry) => entry.name === 'single');
    expect(group).toMatchObject({ location: LOCATION, tags: { 'kubernetes.io-cluster-single': '1' } });
    const subnet = resource('single-nodes')!;
    expect(subnet.properties).toMatchObject({
      addressPrefix: '10.250.0.0/19',
      serviceEndpoints: [{ service: 'Microsoft.Storage' }],
      networkSecurityGroup: { id: expect.stringMatching(/networkSecurityGroups\/single-workers$/) },
      routeTable: { id: expect.stringMatching(/routeTables\/worker_route_table$/) },
      natGateway: { id: expect.stringMatching(/natGateways\/single-nat-gateway$/) },
    });
    expect(resource('single-nat-gateway')?.properties).toMatchObject({ idleTimeoutInMinutes: 4 });
    const address = String(resource('single-nat-gateway-ip')?.properties.ipAddress);
    expect(status).toMatchObject({
      resourceGroup: { name: 'single' },
      networks: {
        vnet: { name: 'single' },
        layout: 'SingleSubnet',
        outboundAccessType: 'NATGateway',
        subnets: [{ name: 'single-nodes', purpose: 'nodes', cidr: '10.250.0.0/19' }],
      },
      securityGroups: [{ purpose: 'nodes', name: 'single-workers' }],
      routeTables: [{ purpose: 'nodes', name: 'worker_route_table' }],
      zoned: false,
      egressAddresses: [address],
      egressCIDRs: [`${address}/32`],
      subnets: [{ zone: LOCATION, nodes: subnet.id }],
    });
    // The VNet's address space is the workers CIDR when the config gives none.
    expect(addressSpace('single')).toEqual(['10.250.0.0/19']);

    // Turning the NAT gateway off detaches it, then deletes it and its IP.
    const config = singleSubnetConfig();
    config.networks.natGateway = { enabled: false };
    const off = await provider.reconcile({ cluster: 'single', region: LOCATION, config, state });
    expect(resource('single-nat-gateway')).toBeUndefined();
    expect(resource('single-nat-gateway-ip')).toBeUndefined();
    expect(resource('single-nodes')?.properties.natGateway).toBeUndefined();
    expect(off.status.networks.outboundAccessType).toBe('LoadBalancer');
    await provider.delete({ cluster: 'single', region: LOCATION, config, state: off.state });
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('in a VNet the user brings: adds subnets by exact name, never touches the VNet, deletes only its own', async () => {
    const vnetId = await createUserVnet(fake);
    const before = inventoryOf(fake);
    const config = {
      networks: {
        vnet: { name: 'shared-vnet', resourceGroup: 'network--shared' },
        workers: '10.2.0.0/19',
        natGateway: { enabled: true },
      },
    };
    const provider = infrastructureProvider(fake);
    const { status, state } = await provider.reconcile({ cluster: 'byo', region: LOCATION, config });
    expect(status.networkId).toBe(vnetId);
    expect(status.networks.vnet).toEqual({ name: 'shared-vnet', resourceGroup: 'network--shared' });
    expect(state.resources.vnet?.managed).toBe(false);
    expect(
      fake
        .resources()
        .filter((entry) => entry.type.endsWith('/subnets'))
        .map((entry) => entry.name)
        .sort(),
    ).toEqual(['byo-nodes', 'someone-elses']);
    // Someone else's subnet named like the cluster's: not adopted.
    const other = await provider
      .reconcile({ cluster: 'byo', region: LOCATION, config, state: { ...state, resources: {} } })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(other, 'AlreadyExists')).toBe(true);

    await provider.delete({ cluster: 'byo', region: LOCATION, config, state });
    expect(inventoryOf(fake)).toEqual(before);
  });

  it('uses a prebuilt network client from the settings, with its own pipeline policies', async () => {
    const sent: string[] = [];
    const network = new NetworkManagementClient(
      { getToken: async () => ({ token: 'mine', expiresOnTimestamp: Date.now() + 60_000 }) },
      SUBSCRIPTION,
      {
        endpoint: fake.url,
        tlsOptions: { ca: fake.ca },
        additionalPolicies: [
          {
            position: 'perCall',
            policy: {
              name: 'record',
              sendRequest: (request: PipelineRequest, next: SendRequest) => {
                sent.push(`${request.method} ${new URL(request.url).pathname.split('/').at(-1)}`);
                return next(request);
              },
            },
          },
        ],
      } as never,
    );
    const context = createAzureProviderContext({
      subscriptionId: SUBSCRIPTION,
      location: LOCATION,
      credentials: { token: 'fake-token' },
      endpoints: { resourceManager: fake.url },
      tlsCa: fake.ca,
      operationPollMs: 2,
      clients: { network },
    });
    const provider = createAzureInfrastructureProvider(context, {
      stepRetry: { attempts: 3, baseDelayMs: 2, maxDelayMs: 10 },
    });
    const { state } = await provider.reconcile({
      cluster: 'prebuilt',
      region: LOCATION,
      config: singleSubnetConfig(),
    });
    expect(sent).toContain('PUT prebuilt-nodes');
    await provider.delete({ cluster: 'prebuilt', region: LOCATION, config: singleSubnetConfig(), state });
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('a VNet the config names and ARM does not have is InvalidArgument at networks.vnet.name', async () => {
    const error = await infrastructureProvider(fake)
      .reconcile({
        cluster: 'novnet',
        region: LOCATION,
        config: { networks: { vnet: { name: 'missing', resourceGroup: 'nowhere' }, workers: '10.2.0.0/19' } },
      })
      .catch((caught: unknown) => caught as TrellisError);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect((error as TrellisError).issues?.[0]?.path).toBe('networks.vnet.name');
  });

  it("looks the nodes' managed identity up and reports its id and client id", async () => {
    fake.createResourceGroup(SUBSCRIPTION, 'identities', LOCATION);
    const id = `/subscriptions/${SUBSCRIPTION}/resourceGroups/identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nodes`;
    const made = await armRequest(fake, 'PUT', `${id}?api-version=2023-01-31`, {
      location: LOCATION,
      properties: { clientId: '11111111-2222-4333-8444-555555555555' },
    });
    expect(made.status).toBe(201);
    const config = {
      ...singleSubnetConfig(),
      identity: { name: 'nodes', resourceGroup: 'identities', acrAccess: true },
    };
    const provider = infrastructureProvider(fake);
    const { status, state } = await provider.reconcile({ cluster: 'identity', region: LOCATION, config });
    expect(status.identity).toBe(id);
    expect(status.managedIdentity).toEqual({
      id,
      clientId: '11111111-2222-4333-8444-555555555555',
      acrAccess: true,
    });
    await provider.delete({
      cluster: 'identity',
      region: LOCATION,
      config,
      state: state as InfrastructureState,
    });
    expect(fake.resources().map((entry) => entry.id)).toEqual([id]);
  });
});
