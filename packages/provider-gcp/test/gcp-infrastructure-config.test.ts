import { TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InfrastructureHarness,
  managedConfig,
  REGION,
  startInfrastructureHarness,
} from './gcp-infrastructure-harness.js';

let harness: InfrastructureHarness;
beforeAll(async () => {
  harness = await startInfrastructureHarness();
});
afterAll(() => harness.close());

/** The issue paths a config is rejected with, by `validateConfig` and by `reconcile` (which must make no call). */
async function rejectedPaths(config: unknown): Promise<string[]> {
  const before = harness.fake.calls.count();
  const fromValidate = (() => {
    try {
      harness.provider.validateConfig(config);
      return undefined;
    } catch (error) {
      return error;
    }
  })();
  const fromReconcile = await harness.provider
    .reconcile({ cluster: 'config-check', region: REGION, config: config as never })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(harness.fake.calls.count()).toBe(before);
  for (const error of [fromValidate, fromReconcile]) {
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
  }
  return ((fromReconcile as TrellisError).issues ?? []).map((issue) => issue.path);
}

describe('GCP infrastructure config validation (before any cloud call, with field paths)', () => {
  it.each([
    ['a nodes CIDR that is not one', { networks: { workers: '10.250.0.0' } }, 'networks.workers'],
    [
      'an internal subnet overlapping the nodes',
      { networks: { workers: '10.250.0.0/16', internal: '10.250.64.0/18' } },
      'networks.internal',
    ],
    ['pods overlapping the nodes', { ...managedConfig(), podsCidr: '10.250.0.0/20' }, 'podsCidr'],
    ['an MTU out of range', { networks: { workers: '10.250.0.0/16', mtu: 9000 } }, 'networks.mtu'],
    [
      'a router without a VPC',
      { networks: { workers: '10.250.0.0/16', vpc: { cloudRouter: { name: 'r1' } } } },
      'networks.vpc.name',
    ],
    [
      'a NAT address listed twice',
      {
        networks: {
          workers: '10.250.0.0/16',
          cloudNAT: { natIPNames: [{ name: 'ip-a' }, { name: 'ip-a' }] },
        },
      },
      'networks.cloudNAT.natIPNames[1].name',
    ],
    [
      'maxPortsPerVM without dynamic port allocation',
      { networks: { workers: '10.250.0.0/16', cloudNAT: { maxPortsPerVM: 4096 } } },
      'networks.cloudNAT.maxPortsPerVM',
    ],
    [
      'a flow sampling above 1',
      { networks: { workers: '10.250.0.0/16', flowLogs: { flowSampling: 1.5 } } },
      'networks.flowLogs.flowSampling',
    ],
    ['an unknown field', { networks: { workers: '10.250.0.0/16', zones: [] } }, 'networks'],
    [
      'a service account that is no email',
      { ...managedConfig(), serviceAccount: { email: 'nodes' } },
      'serviceAccount.email',
    ],
  ])('rejects %s', async (_what, config, path) => {
    expect(await rejectedPaths(config)).toContain(path);
  });

  it('reports every problem of one config at once', async () => {
    const paths = await rejectedPaths({
      networks: { workers: '10.250.0.0/16', internal: '10.250.1.0/24', mtu: 100 },
      podsCidr: 'pods',
    });
    expect(paths).toEqual(expect.arrayContaining(['networks.internal', 'networks.mtu', 'podsCidr']));
  });

  it('accepts the documented example', () => {
    expect(() =>
      harness.provider.validateConfig({
        networks: {
          workers: '10.250.0.0/16',
          internal: '10.251.0.0/16',
          cloudNAT: { minPortsPerVM: 4096 },
          flowLogs: { aggregationInterval: 'INTERVAL_5_MIN' },
        },
        podsCidr: '100.96.0.0/11',
        servicesCidr: '100.64.0.0/13',
      }),
    ).not.toThrow();
  });
});
