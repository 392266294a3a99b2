import { type InfrastructureState, TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsInfrastructureConfig } from '../src/aws-infrastructure-config.js';
import { checkInfrastructureStateUpdate } from '../src/aws-infrastructure-update.js';
import {
  type InfrastructureHarness,
  managedConfig,
  REGION,
  startInfrastructureHarness,
} from './aws-infrastructure-harness.js';

async function rejection(promise: Promise<unknown>): Promise<TrellisError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
  return error as TrellisError;
}

describe('AWS infrastructure reconcile over an earlier state (against the fake)', () => {
  let harness: InfrastructureHarness;
  const cluster = 'immutable-fields';
  let config: AwsInfrastructureConfig;
  let state: InfrastructureState;

  beforeAll(async () => {
    harness = await startInfrastructureHarness();
    config = managedConfig(2);
    state = (await harness.provider.reconcile({ cluster, region: REGION, config })).state;
  });
  afterAll(async () => {
    if (state) await harness.provider.delete({ cluster, region: REGION, config, state });
    await harness?.close();
  });

  const changed = (change: (next: AwsInfrastructureConfig) => void): AwsInfrastructureConfig => {
    const next = structuredClone(config);
    change(next);
    return next;
  };

  it('rejects a change of an immutable field with InvalidArgument naming it, before any cloud call', async () => {
    const cases: Array<{ next: AwsInfrastructureConfig; paths: string[] }> = [
      {
        next: changed((next) => {
          next.networks.vpc.cidr = '10.0.0.0/15';
          next.nodesCidr = '10.0.0.0/15';
        }),
        paths: ['networks.vpc.cidr'],
      },
      {
        next: changed((next) => {
          next.networks.zones[1]!.workers = '10.0.128.0/19';
        }),
        paths: ['networks.zones[1].workers'],
      },
      {
        next: changed((next) => {
          next.networks.zones.splice(0, 1);
        }),
        paths: ['networks.zones'],
      },
      {
        next: changed((next) => {
          next.networks.vpc = { id: state.resources.vpc!.id };
        }),
        paths: ['networks.vpc.id', 'networks.vpc.cidr'],
      },
      {
        next: changed((next) => {
          next.networks.zones[0]!.elasticIPAllocationID = 'eipalloc-0123456789abcdef0';
        }),
        paths: ['networks.zones[0].elasticIPAllocationID'],
      },
    ];
    for (const { next, paths } of cases) {
      const calls = harness.fake.calls.count();
      const inventory = (await harness.inventory()).sort();
      const error = await rejection(
        harness.provider.reconcile({ cluster, region: REGION, config: next, state }),
      );
      expect(error.issues.map((issue) => issue.path)).toEqual(paths);
      expect(error.issues.every((issue) => issue.message.length > 0)).toBe(true);
      expect(harness.fake.calls.count()).toBe(calls);
      expect((await harness.inventory()).sort()).toEqual(inventory);
    }
  });

  it('rejects a state of another provider or a malformed state with its field paths, before any cloud call', async () => {
    const calls = harness.fake.calls.count();
    const foreign = await rejection(
      harness.provider.reconcile({ cluster, region: REGION, config, state: { ...state, provider: 'local' } }),
    );
    expect(foreign.issues).toContainEqual({
      path: 'state.provider',
      message: 'state was written by "local", not "aws"',
    });
    const malformed = await rejection(
      harness.provider.delete({
        cluster,
        region: REGION,
        config,
        state: { ...state, completedSteps: 'vpc' } as unknown as InfrastructureState,
      }),
    );
    expect(malformed.issues.map((issue) => issue.path)).toContain('state.completedSteps');
    expect(harness.fake.calls.count()).toBe(calls);
  });

  it('still applies mutable changes: a new zone, gateway endpoints, ECR access', async () => {
    const next = changed((draft) => {
      draft.networks.zones.push({
        name: `${REGION}c`,
        workers: '10.0.128.0/19',
        public: '10.0.160.0/20',
        internal: '10.0.176.0/20',
      });
      draft.networks.vpc.gatewayEndpoints = [];
      draft.enableECRAccess = false;
    });
    const result = await harness.provider.reconcile({ cluster, region: REGION, config: next, state });
    expect(result.status.subnets.map((subnet) => subnet.zone)).toEqual(
      next.networks.zones.map((zone) => zone.name),
    );
    state = result.state;
    config = next;
    // The zone just added is now as immutable as the others.
    const moved = changed((draft) => {
      draft.networks.zones[2]!.internal = '10.0.192.0/20';
    });
    const error = await rejection(
      harness.provider.reconcile({ cluster, region: REGION, config: moved, state }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['networks.zones[2].internal']);
  });
});

describe('checkInfrastructureStateUpdate', () => {
  const brought: InfrastructureState = {
    version: 'v1',
    provider: 'aws',
    completedSteps: [
      'vpc',
      'subnet/eu-west-1a/nodes',
      'subnet/eu-west-1a/public',
      'subnet/eu-west-1a/internal',
    ],
    resources: {
      vpc: { id: 'vpc-1', kind: 'vpc', managed: false, attributes: { cidr: '10.0.0.0/16' } },
      'subnet/eu-west-1a/nodes': { id: 'subnet-1', kind: 'subnet', managed: false },
      'subnet/eu-west-1a/public': { id: 'subnet-2', kind: 'subnet', managed: false },
    },
  };
  const byo = (subnetIds: {
    workers: string;
    public?: string;
    internal?: string;
  }): AwsInfrastructureConfig => ({
    networks: { vpc: { id: 'vpc-1' }, zones: [{ name: 'eu-west-1a', subnetIds }] },
  });

  it('keeps a bring-your-own VPC and its subnets as recorded', () => {
    expect(checkInfrastructureStateUpdate(brought, byo({ workers: 'subnet-1', public: 'subnet-2' }))).toEqual(
      [],
    );
    const paths = (config: AwsInfrastructureConfig) =>
      checkInfrastructureStateUpdate(brought, config).map((issue) => issue.path);
    expect(paths(byo({ workers: 'subnet-9', public: 'subnet-2' }))).toEqual(['networks.zones[0].subnetIds']);
    // The internal subnet was left out before: adding it later changes subnetIds too.
    expect(paths(byo({ workers: 'subnet-1', public: 'subnet-2', internal: 'subnet-3' }))).toEqual([
      'networks.zones[0].subnetIds',
    ]);
    const otherVpc = byo({ workers: 'subnet-1', public: 'subnet-2' });
    otherVpc.networks.vpc = { id: 'vpc-2' };
    expect(paths(otherVpc)).toEqual(['networks.vpc.id']);
  });

  it('checks nothing without a state, and only what an interrupted reconcile recorded', () => {
    const config = managedConfig(1);
    expect(checkInfrastructureStateUpdate(undefined, config)).toEqual([]);
    const partial: InfrastructureState = {
      version: 'v1',
      provider: 'aws',
      completedSteps: ['vpc'],
      resources: { vpc: { id: 'vpc-1', kind: 'vpc', managed: true, attributes: { cidr: '10.0.0.0/16' } } },
    };
    expect(checkInfrastructureStateUpdate(partial, config)).toEqual([]);
    config.networks.zones[0]!.workers = '10.0.0.0/20';
    expect(checkInfrastructureStateUpdate(partial, config)).toEqual([]);
  });
});
