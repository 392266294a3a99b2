import type { InfrastructureConformanceSubject } from '@trellis/testkit';
import { createGcpApi } from '../src/gcp-api.js';
import type { GcpProviderContext } from '../src/gcp-settings.js';
import {
  createGcpInfrastructureProvider,
  createGcpProviderContext,
  type GcpInfrastructureConfig,
  type GcpInfrastructureStatus,
} from '../src/index.js';
import { type GceFake, startGceFake } from '../src/testing/index.js';

export const PROJECT = 'trellis-test';
export const REGION = 'europe-west1';

/** A managed VPC with a nodes and an internal subnet. */
export function managedConfig(extra: Partial<GcpInfrastructureConfig> = {}): GcpInfrastructureConfig {
  return {
    networks: { workers: '10.250.0.0/16', internal: '10.251.0.0/16' },
    podsCidr: '100.96.0.0/11',
    servicesCidr: '100.64.0.0/13',
    ...extra,
  };
}

/** Configs the provider must reject, with the path of the problem. */
export const invalidConfigs = [
  { config: { networks: {} }, path: 'networks.workers' },
  { config: { networks: { workers: '10.250.0.0/33' } }, path: 'networks.workers' },
  {
    config: { networks: { workers: '10.250.0.0/16', internal: '10.250.128.0/17' } },
    path: 'networks.internal',
  },
  {
    config: { networks: { workers: '10.250.0.0/16', vpc: { cloudRouter: { name: 'r' } } } },
    path: 'networks.vpc.name',
  },
  {
    config: { networks: { workers: '10.250.0.0/16', cloudNAT: { natIPNames: [{ name: 'Bad_Name' }] } } },
    path: 'networks.cloudNAT.natIPNames[0].name',
  },
];

/** Small retry delays and operation polls: the test fake answers at once. */
export const FAST_TIMING = {
  stepRetry: { attempts: 8, baseDelayMs: 2, maxDelayMs: 20 },
  deleteRetry: { attempts: 20, baseDelayMs: 2, maxDelayMs: 20 },
};

/** The provider context against the fake (compute and IAM on one port), with millisecond API retries. */
export function infrastructureContext(fake: GceFake, maxAttempts = 12): GcpProviderContext {
  const context = createGcpProviderContext({
    project: PROJECT,
    region: REGION,
    credentials: 'none',
    endpoints: { compute: fake.url, iam: fake.url },
    operationPollMs: 2,
    maxAttempts,
    rateLimits: {
      read: { capacity: 10_000, refillPerSecond: 10_000 },
      list: { capacity: 10_000, refillPerSecond: 10_000 },
      mutate: { capacity: 10_000, refillPerSecond: 10_000 },
    },
  });
  const generous = { capacity: 10_000, refillPerSecond: 10_000 };
  return {
    ...context,
    api: createGcpApi({
      rateLimits: { read: generous, list: generous, mutate: generous },
      maxAttempts,
      baseDelayMs: 2,
    }),
  };
}

/**
 * Every network resource and service account that exists in the fake, by name (what the status
 * names them by) and email; the fake's paths are in `fake.resources()`.
 */
export function inventoryOf(fake: GceFake): string[] {
  return [
    ...[...fake.resources().values()].map((resource) => resource.name),
    ...[...fake.serviceAccounts().values()].map((account) => String(account.email)),
  ].sort();
}

export interface InfrastructureHarness {
  readonly fake: GceFake;
  readonly provider: ReturnType<typeof createGcpInfrastructureProvider>;
  /** A network made straight through the fake's API, which the provider must never touch. */
  createForeignNetwork(name?: string): Promise<string>;
  close(): Promise<void>;
}

/** Sends one compute call to the fake as a user's own tooling would, retrying injected faults. */
export async function computeCall(
  fake: GceFake,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(`${fake.url}/compute/v1/projects/${PROJECT}/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await response.json();
    if (response.ok) return json;
    if ((response.status === 429 || response.status >= 500) && attempt < 20) continue;
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  }
}

export async function startInfrastructureHarness(
  options: { seed?: number } = {},
): Promise<InfrastructureHarness> {
  const fake = await startGceFake({ seed: options.seed ?? 1 });
  const provider = createGcpInfrastructureProvider(infrastructureContext(fake), FAST_TIMING);
  return {
    fake,
    provider,
    async createForeignNetwork(name = 'foreign-network') {
      await computeCall(fake, 'POST', 'global/networks', { name, autoCreateSubnetworks: false });
      return name;
    },
    close: () => fake.close(),
  };
}

/** A provider on the same fake that gives up at the first failure: a process that dies mid-call. */
export function fragileProvider(fake: GceFake) {
  return createGcpInfrastructureProvider(infrastructureContext(fake, 1), {
    stepRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    deleteRetry: FAST_TIMING.deleteRetry,
  });
}

/** The conformance subject on a fresh harness. */
export async function infrastructureSubject(
  harness: InfrastructureHarness,
): Promise<InfrastructureConformanceSubject<GcpInfrastructureConfig, GcpInfrastructureStatus>> {
  return {
    provider: harness.provider,
    region: REGION,
    config: managedConfig(),
    invalidConfigs,
    inventory: async () => inventoryOf(harness.fake),
    createForeignResource: () => harness.createForeignNetwork(),
    cleanup: harness.close,
  };
}
