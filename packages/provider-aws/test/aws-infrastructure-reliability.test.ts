import { CreateSecurityGroupCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type InfrastructureState, TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsInfrastructureProvider } from '../src/aws-infrastructure-provider.js';
import {
  type InfrastructureHarness,
  managedConfig,
  REGION,
  startInfrastructureHarness,
} from './aws-infrastructure-harness.js';

describe('AWS infrastructure reliability (against the fake)', () => {
  let harness: InfrastructureHarness;
  const config = managedConfig(2);

  beforeAll(async () => {
    harness = await startInfrastructureHarness();
  });
  afterAll(() => harness?.close());

  it('a delete after a reconcile interrupted at any step leaves nothing behind', async () => {
    const baseline = (await harness.inventory()).sort();
    let steps = 0;
    const reference = await harness.provider.reconcile(
      { cluster: 'reliability-reference', region: REGION, config },
      { onState: () => void steps++ },
    );
    await harness.provider.delete({
      cluster: 'reliability-reference',
      region: REGION,
      config,
      state: reference.state,
    });
    expect(steps).toBeGreaterThan(10);

    for (let k = 1; k <= steps; k++) {
      const cluster = `reliability-half-${k}`;
      const controller = new AbortController();
      let persisted: InfrastructureState | undefined;
      let calls = 0;
      const error = await harness.provider
        .reconcile(
          { cluster, region: REGION, config },
          {
            signal: controller.signal,
            onState: (state) => {
              persisted = structuredClone(state);
              if (++calls === k) controller.abort();
            },
          },
        )
        .catch((caught: unknown) => caught);
      expect(TrellisError.hasCode(error, 'Canceled'), `abort after step ${k}`).toBe(true);
      // The first state may be the VPC's write-ahead mark alone, saved before anything exists.
      const onlyMarks = Object.values(persisted?.resources ?? {}).every(
        (resource) => resource.attributes?.pending,
      );
      if (!onlyMarks) {
        expect((await harness.inventory()).length, `something was created before step ${k}`).toBeGreaterThan(
          baseline.length,
        );
      }
      await harness.provider.delete({ cluster, region: REGION, config, state: persisted });
      expect(
        (await harness.inventory()).sort(),
        `inventory after deleting a reconcile cut at step ${k}`,
      ).toEqual(baseline);
    }
  });

  it('a process killed while its first CreateVpc is in flight leaks no VPC (write-ahead mark)', async () => {
    const cluster = 'reliability-first-create';
    const baseline = (await harness.inventory()).sort();
    let persisted: InfrastructureState | undefined;
    const error = await harness.provider
      .reconcile(
        { cluster, region: REGION, config },
        {
          // The process dies right after saving its first state: nothing later is persisted.
          onState: (state) => {
            if (persisted) throw new Error('the process is gone');
            persisted = structuredClone(state);
          },
        },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(persisted?.resources.vpc).toMatchObject({ id: '', kind: 'vpc', attributes: { pending: true } });
    expect(harness.fake.state.vpcs().some((vpc) => vpc.tags.Name === cluster)).toBe(true);
    await harness.provider.delete({ cluster, region: REGION, config, state: persisted });
    expect((await harness.inventory()).sort()).toEqual(baseline);
  });

  it('a delete interrupted midway resumes from the state it saved', async () => {
    const cluster = 'reliability-delete';
    const baseline = (await harness.inventory()).sort();
    const { state } = await harness.provider.reconcile({ cluster, region: REGION, config });
    const controller = new AbortController();
    let persisted: InfrastructureState = state;
    let calls = 0;
    const error = await harness.provider
      .delete(
        { cluster, region: REGION, config, state },
        {
          signal: controller.signal,
          onState: (next) => {
            persisted = structuredClone(next);
            if (++calls === 8) controller.abort();
          },
        },
      )
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Canceled')).toBe(true);
    expect(Object.keys(persisted.resources).length).toBeGreaterThan(0);
    expect(Object.keys(persisted.resources).length).toBeLessThan(Object.keys(state.resources).length);
    await harness.provider.delete({ cluster, region: REGION, config, state: persisted });
    expect((await harness.inventory()).sort()).toEqual(baseline);
  });

  it('deletes what it created even when the NAT gateway is still pending', async () => {
    harness.fake.setInstanceTransitionDelays({ natGatewayPendingMs: 60_000 });
    try {
      const cluster = 'reliability-pending-nat';
      const baseline = (await harness.inventory()).sort();
      let persisted: InfrastructureState | undefined;
      // The deadline passes once a NAT gateway of the cluster exists (pending): a fixed wall-clock
      // deadline raced the steps before it on a loaded machine and sometimes came first.
      const deadline = new AbortController();
      const natGatewayName = `${cluster}-natgw-z0`;
      const watch = setInterval(() => {
        const pending = harness.fake.state
          .natGateways()
          .some((gateway) => gateway.tags.Name === natGatewayName && gateway.state === 'pending');
        if (pending) deadline.abort(new DOMException('the deadline passed', 'TimeoutError'));
      }, 2);
      const error = await harness.provider
        .reconcile(
          { cluster, region: REGION, config },
          {
            signal: deadline.signal,
            onState: (state) => {
              persisted = structuredClone(state);
            },
          },
        )
        .catch((caught: unknown) => caught)
        .finally(() => clearInterval(watch));
      expect(deadline.signal.aborted).toBe(true);
      expect(TrellisError.hasCode(error, 'DeadlineExceeded')).toBe(true);
      expect(
        Object.values(persisted?.resources ?? {}).some((resource) => resource.kind === 'nat-gateway'),
      ).toBe(true);
      await harness.provider.delete({ cluster, region: REGION, config, state: persisted });
      expect((await harness.inventory()).sort()).toEqual(baseline);
    } finally {
      harness.fake.setInstanceTransitionDelays({ natGatewayPendingMs: 5 });
    }
  });
  it('never duplicates a resource when create responses are lost (the action commits, the answer never comes)', async () => {
    const baseline = (await harness.inventory()).sort();
    const reference = await harness.provider.reconcile({
      cluster: 'reliability-lost-reference',
      region: REGION,
      config,
    });
    const cleanCount = (await harness.inventory()).length - baseline.length;
    await harness.provider.delete({
      cluster: 'reliability-lost-reference',
      region: REGION,
      config,
      state: reference.state,
    });

    const actions = [
      'CreateVpc',
      'CreateDhcpOptions',
      'CreateInternetGateway',
      'AttachInternetGateway',
      'CreateSubnet',
      'AllocateAddress',
      'CreateNatGateway',
      'CreateRouteTable',
      'CreateRoute',
      'AssociateRouteTable',
      'CreateVpcEndpoint',
      'CreateSecurityGroup',
      'ImportKeyPair',
      'CreateRole',
      'CreateInstanceProfile',
      'AddRoleToInstanceProfile',
    ];
    const removers = actions.map((action) =>
      harness.fake.faults.add({ kind: 'lost-response', actions: [action], times: 1 }),
    );
    const lostBefore = harness.fake.calls.entries.filter((entry) => entry.fault === 'lost-response').length;
    try {
      const cluster = 'reliability-lost';
      const { state, status } = await harness.provider.reconcile({ cluster, region: REGION, config });
      const lost =
        harness.fake.calls.entries.filter((entry) => entry.fault === 'lost-response').length - lostBefore;
      expect(lost).toBe(actions.length);
      expect((await harness.inventory()).length - baseline.length).toBe(cleanCount);
      const tagged = harness.fake.state.vpcs().filter((vpc) => vpc.tags.Name === cluster);
      expect(tagged.map((vpc) => vpc.vpcId)).toEqual([status.vpcId]);
      await harness.provider.delete({ cluster, region: REGION, config, state });
      expect((await harness.inventory()).sort()).toEqual(baseline);
    } finally {
      for (const remove of removers) remove();
    }
  });
  it('rides out throttling of the create calls it never repeats blindly (a throttled request never ran)', async () => {
    const single = managedConfig(1);
    const baseline = (await harness.inventory()).sort();
    const reference = await harness.provider.reconcile({
      cluster: 'reliability-throttled-reference',
      region: REGION,
      config: single,
    });
    const cleanCount = (await harness.inventory()).length - baseline.length;
    await harness.provider.delete({
      cluster: 'reliability-throttled-reference',
      region: REGION,
      config: single,
      state: reference.state,
    });

    // More throttles in a row than a step has attempts: each used to cost a whole step attempt.
    const times = 8;
    const actions = [
      'CreateVpc',
      'CreateDhcpOptions',
      'CreateInternetGateway',
      'AttachInternetGateway',
      'AllocateAddress',
      'CreateNatGateway',
      'CreateVpcEndpoint',
      'CreateSecurityGroup',
      'ImportKeyPair',
      'CreateRole',
      'CreateInstanceProfile',
      'AddRoleToInstanceProfile',
    ];
    const removers = actions.map((action) =>
      harness.fake.faults.add({ kind: 'throttle', actions: [action], times }),
    );
    const throttledBefore = harness.fake.calls.entries.filter((entry) => entry.fault === 'throttle').length;
    try {
      const cluster = 'reliability-throttled';
      const { state } = await harness.provider.reconcile({ cluster, region: REGION, config: single });
      const throttled =
        harness.fake.calls.entries.filter((entry) => entry.fault === 'throttle').length - throttledBefore;
      expect(throttled).toBe(actions.length * times);
      expect((await harness.inventory()).length - baseline.length).toBe(cleanCount);
      await harness.provider.delete({ cluster, region: REGION, config: single, state });
      expect((await harness.inventory()).sort()).toEqual(baseline);
    } finally {
      for (const remove of removers) remove();
    }
  });
  it('records a new security group before anything else can interrupt the step', async () => {
    const cluster = 'reliability-group-abort';
    const baseline = (await harness.inventory()).sort();
    const controller = new AbortController();
    // The abort lands the moment CreateSecurityGroup has answered, before the step's next call.
    const ec2 = {
      send: async (command: unknown) => {
        const output = await harness.ec2.send(command as never);
        if (command instanceof CreateSecurityGroupCommand) controller.abort();
        return output;
      },
    } as unknown as EC2Client;
    const provider = createAwsInfrastructureProvider({
      clients: { ec2, iam: harness.iam },
      timing: { pollIntervalMs: 5, stepRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    });
    let persisted: InfrastructureState | undefined;
    const error = await provider
      .reconcile(
        { cluster, region: REGION, config },
        {
          signal: controller.signal,
          onState: (state) => {
            persisted = structuredClone(state);
          },
        },
      )
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Canceled')).toBe(true);
    const groups = harness.fake.state
      .securityGroups()
      .filter((group) => group.tags.Name === `${cluster}-nodes`);
    expect(groups).toHaveLength(1);
    expect(persisted?.resources['security-group/nodes']?.id).toBe(groups[0]!.groupId);
    await harness.provider.delete({ cluster, region: REGION, config, state: persisted });
    expect((await harness.inventory()).sort()).toEqual(baseline);
  });
  it('a delete also removes what the cluster owns but the state never recorded (the process died before saving)', async () => {
    const cluster = 'reliability-unsaved';
    const baseline = (await harness.inventory()).sort();
    const { state } = await harness.provider.reconcile({ cluster, region: REGION, config });
    const zone = config.networks.zones[0]!.name;
    const unsaved = [
      `nat-gateway/${zone}`,
      `elastic-ip/${zone}`,
      `subnet/${zone}/internal`,
      `route-table-association/${zone}/internal`,
      `route-table/${zone}/private`,
      'iam-instance-profile',
      'key-pair',
      'vpc-endpoint/s3',
      'security-group/nodes',
    ];
    for (const key of unsaved) expect(state.resources[key], key).toBeDefined();
    const resources = Object.fromEntries(
      Object.entries(state.resources).filter(([key]) => !unsaved.includes(key)),
    );
    await harness.provider.delete({ cluster, region: REGION, config, state: { ...state, resources } });
    expect((await harness.inventory()).sort()).toEqual(baseline);
  });
});
