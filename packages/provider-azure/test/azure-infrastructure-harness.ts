import type { InfrastructureConformanceSubject } from '@trellis/testkit';
import { networkClient } from '../src/azure-arm-clients.js';
import {
  type AzureInfrastructureConfig,
  type AzureInfrastructureStatus,
  createAzureInfrastructureProvider,
} from '../src/index.js';
import { type ArmFake, type ArmFakeOptions, startArmFake } from '../src/testing/index.js';
import { contextFor, LOCATION, SUBSCRIPTION } from './azure-machine-harness.js';

export { LOCATION, SUBSCRIPTION };

/** Step retries in milliseconds. */
export const FAST_TIMING = { stepRetry: { attempts: 8, baseDelayMs: 2, maxDelayMs: 20 } };

/** A zoned config: a subnet and a NAT gateway (with a public IP Trellis makes) per zone. */
export function zonedConfig(): AzureInfrastructureConfig {
  return {
    zoned: true,
    networks: {
      vnet: { cidr: '10.250.0.0/16' },
      zones: [
        { name: 1, cidr: '10.250.0.0/19', natGateway: { enabled: true, idleConnectionTimeoutMinutes: 10 } },
        { name: 2, cidr: '10.250.32.0/19', natGateway: { enabled: true } },
      ],
    },
    podsCidr: '100.96.0.0/11',
    servicesCidr: '100.64.0.0/13',
  };
}

/** A single-subnet config with a NAT gateway. */
export function singleSubnetConfig(): AzureInfrastructureConfig {
  return {
    networks: {
      workers: '10.250.0.0/19',
      natGateway: { enabled: true },
      serviceEndpoints: ['Microsoft.Storage'],
    },
  };
}

/** Configs the provider must reject, each with the path of one of its problems. */
export const invalidConfigs: Array<{ config: unknown; path: string }> = [
  { config: { networks: {} }, path: 'networks.workers' },
  { config: { networks: { workers: '10.250.0.1/19' } }, path: 'networks.workers' },
  {
    config: { resourceGroup: { name: 'mine' }, networks: { workers: '10.250.0.0/19' } },
    path: 'resourceGroup',
  },
  {
    config: { networks: { vnet: { cidr: '10.250.0.0/16' }, zones: [{ name: 1, cidr: '10.250.0.0/19' }] } },
    path: 'zoned',
  },
  {
    config: {
      zoned: true,
      networks: { vnet: { cidr: '10.250.0.0/16' }, zones: [{ name: 1, cidr: '10.251.0.0/19' }] },
    },
    path: 'networks.zones[0].cidr',
  },
  {
    config: {
      networks: {
        workers: '10.250.0.0/19',
        natGateway: { enabled: true, idleConnectionTimeoutMinutes: 200 },
      },
    },
    path: 'networks.natGateway.idleConnectionTimeoutMinutes',
  },
  {
    config: { networks: { vnet: { name: 'theirs' }, workers: '10.250.0.0/19' } },
    path: 'networks.vnet.resourceGroup',
  },
];

/** A fake ARM with small pages and no wait on `Retry-After`. */
export async function startInfrastructureFake(options: ArmFakeOptions = {}): Promise<ArmFake> {
  return startArmFake({ pageSize: 5, retryAfterSeconds: 0, ...options });
}

/** Every resource group and resource in the fake. */
export function inventoryOf(fake: ArmFake): string[] {
  return [...fake.resourceGroups(), ...fake.resources()].map((resource) => resource.id).sort();
}

export const infrastructureProvider = (fake: ArmFake, maxAttempts = 12) =>
  createAzureInfrastructureProvider(contextFor(fake, maxAttempts), FAST_TIMING);

/** A provider that gives up at the first failure: a process that dies mid-call. */
export const fragileProvider = (fake: ArmFake) =>
  createAzureInfrastructureProvider(contextFor(fake, 1), {
    stepRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });

/**
 * A VNet (with a subnet) in a resource group of its own, as a user would bring it; made through the
 * network SDK, tried again when the fake injects a fault. Resolves the VNet's ARM id.
 */
export async function createUserVnet(
  fake: ArmFake,
  group = 'network--shared',
  name = 'shared-vnet',
): Promise<string> {
  fake.createResourceGroup(SUBSCRIPTION, group, LOCATION);
  for (let attempt = 1; ; attempt++) {
    try {
      const vnet = await networkClient(contextFor(fake)).virtualNetworks.createOrUpdate(
        group,
        name,
        {
          location: LOCATION,
          addressSpace: { addressPrefixes: ['10.0.0.0/8'] },
          subnets: [{ name: 'someone-elses', addressPrefix: '10.1.0.0/24' }],
        },
        { updateIntervalInMs: 1 },
      );
      return vnet.id!;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
  }
}

/** The conformance subject on a fresh fake. */
export async function infrastructureSubject(
  fake: ArmFake,
): Promise<InfrastructureConformanceSubject<AzureInfrastructureConfig, AzureInfrastructureStatus>> {
  return {
    provider: infrastructureProvider(fake),
    region: LOCATION,
    config: zonedConfig(),
    zones: ['1', '2'],
    invalidConfigs,
    inventory: async () => inventoryOf(fake),
    createForeignResource: () => createUserVnet(fake, 'foreign--group', 'foreign-vnet'),
    cleanup: () => fake.close(),
  };
}
