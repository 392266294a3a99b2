import { CloudApi } from '@trellis/provider-kit';
import type { InfrastructureConformanceSubject } from '@trellis/testkit';
import { toTrellisError } from '../src/alicloud-errors.js';
import { alicloudRateLimiter } from '../src/alicloud-settings.js';
import {
  type AlicloudInfrastructureConfig,
  type AlicloudInfrastructureStatus,
  type AlicloudProviderContext,
  type AlicloudProviderSettings,
  createAlicloudInfrastructureProvider,
  createAlicloudProviderContext,
} from '../src/index.js';
import { type EcsFake, FAKE_ACCESS_KEY, startEcsFake } from '../src/testing/index.js';

export const REGION = 'eu-central-1';

/** A VPC Trellis creates, two zones, the second with an EIP Trellis allocates too. */
export function managedConfig(
  extra: Partial<AlicloudInfrastructureConfig> = {},
): AlicloudInfrastructureConfig {
  return {
    networks: {
      vpc: { cidr: '10.250.0.0/16' },
      zones: [
        { name: `${REGION}a`, workers: '10.250.0.0/19' },
        { name: `${REGION}b`, workers: '10.250.32.0/19' },
      ],
    },
    podsCidr: '100.96.0.0/11',
    servicesCidr: '100.72.0.0/13',
    ...extra,
  };
}

/** Configs the provider must reject, with the path of the problem. */
export const invalidConfigs = [
  {
    config: { networks: { vpc: {}, zones: [{ name: `${REGION}a`, workers: '10.250.0.0/19' }] } },
    path: 'networks.vpc',
  },
  { config: { networks: { vpc: { cidr: '10.250.0.0/16' }, zones: [] } }, path: 'networks.zones' },
  {
    config: {
      networks: { vpc: { cidr: '10.250.0.0/16' }, zones: [{ name: `${REGION}a`, workers: '10.251.0.0/19' }] },
    },
    path: 'networks.zones[0].workers',
  },
  {
    config: {
      networks: {
        vpc: { cidr: '10.250.0.0/16' },
        zones: [
          { name: `${REGION}a`, workers: '10.250.0.0/19' },
          { name: `${REGION}b`, workers: '10.250.16.0/20' },
        ],
      },
    },
    path: 'networks.zones[1].workers',
  },
  {
    config: {
      networks: {
        vpc: { cidr: '10.250.0.0/16', gardenerManagedNATGateway: true },
        zones: [{ name: `${REGION}a`, workers: '10.250.0.0/19' }],
      },
    },
    path: 'networks.vpc.gardenerManagedNATGateway',
  },
  {
    config: {
      networks: {
        vpc: { cidr: '10.250.0.0/16' },
        zones: [{ name: `${REGION}a`, workers: '10.250.0.0/19', natGateway: { eipAllocationID: '' } }],
      },
    },
    path: 'networks.zones[0].natGateway.eipAllocationID',
  },
];

/** Quick polls and retries: the fake settles in milliseconds. */
export const FAST_TIMING = {
  pollIntervalMs: 5,
  maxPollIntervalMs: 20,
  waitTimeoutMs: 30_000,
  stepRetry: { attempts: 8, baseDelayMs: 2, maxDelayMs: 20 },
  deleteRetry: { attempts: 30, baseDelayMs: 2, maxDelayMs: 20 },
};

/** Settings of a provider on the fake (ECS and VPC on one port), with generous rate limits. */
export function fakeSettings(
  fake: EcsFake,
  extra: Partial<AlicloudProviderSettings> = {},
): AlicloudProviderSettings {
  return {
    region: REGION,
    credentials: FAKE_ACCESS_KEY,
    endpoints: { ecs: fake.url, vpc: fake.url },
    maxAttempts: 12,
    rateLimitsPerMinute: { other: 100_000 },
    ...extra,
  };
}

/** The provider context on the fake, its API retrying after milliseconds instead of the real backoff. */
export function fakeContext(
  fake: EcsFake,
  extra: Partial<AlicloudProviderSettings> = {},
): AlicloudProviderContext {
  const context = createAlicloudProviderContext(fakeSettings(fake, extra));
  return {
    ...context,
    api: new CloudApi<string>({
      provider: 'alicloud',
      limiter: alicloudRateLimiter({ other: 100_000 }),
      toError: toTrellisError,
      maxAttempts: 12,
      baseDelayMs: 2,
      throttledBaseDelayMs: 5,
      maxDelayMs: 50,
    }),
  };
}

/** The fake's network resources by id (VPCs, vSwitches, NAT gateways, EIPs, SNAT entries, security groups). */
export const inventoryOf = (fake: EcsFake) =>
  fake
    .network()
    .map((resource) => resource.id)
    .sort();

/** A conformance subject on a fake. */
export function infrastructureSubject(
  fake: EcsFake,
  config: AlicloudInfrastructureConfig = managedConfig(),
): InfrastructureConformanceSubject<AlicloudInfrastructureConfig, AlicloudInfrastructureStatus> {
  return {
    provider: createAlicloudInfrastructureProvider(fakeContext(fake), FAST_TIMING),
    region: REGION,
    config,
    invalidConfigs,
    zones: config.networks.zones.map((zone) => zone.name),
    inventory: async () => inventoryOf(fake),
    cleanup: () => fake.close(),
  };
}

/** A fake with short transitions. */
export const startNetworkFake = () => startEcsFake({ pendingMs: 15 });
