import { CreateTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, DeleteRoleCommand } from '@aws-sdk/client-iam';
import { type InfrastructureState, TrellisError } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EC2_TRUST_POLICY } from '../src/aws-iam-steps.js';
import {
  type InfrastructureHarness,
  managedConfig,
  REGION,
  sshPublicKey,
  startInfrastructureHarness,
} from './aws-infrastructure-harness.js';

describe('AWS infrastructure ownership and changes (against the fake)', () => {
  let harness: InfrastructureHarness;

  beforeAll(async () => {
    harness = await startInfrastructureHarness();
  });
  afterAll(() => harness?.close());

  it('refuses to adopt an IAM role of the same name that this cluster does not own, and its delete leaves that role alone', async () => {
    const cluster = 'foreign-role';
    const baseline = (await harness.inventory()).sort();
    await harness.iam.send(
      new CreateRoleCommand({
        RoleName: `${cluster}-nodes`,
        AssumeRolePolicyDocument: EC2_TRUST_POLICY,
      }),
    );
    const config = managedConfig(1);
    let persisted: InfrastructureState | undefined;
    const error = await harness.provider
      .reconcile(
        { cluster, region: REGION, config },
        {
          onState: (state) => {
            persisted = state;
          },
        },
      )
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'AlreadyExists')).toBe(true);
    expect((error as TrellisError).message).toContain(`${cluster}-nodes`);
    await harness.provider.delete({ cluster, region: REGION, config, state: persisted });
    expect(harness.fake.state.roles().map((role) => role.roleName)).toContain(`${cluster}-nodes`);
    await harness.iam.send(new DeleteRoleCommand({ RoleName: `${cluster}-nodes` }));
    expect((await harness.inventory()).sort()).toEqual(
      baseline.filter((id) => !id.endsWith(`/${cluster}-nodes`)),
    );
  });

  it('replaces the key pair when sshPublicKey changes', async () => {
    const cluster = 'key-rotation';
    const config = managedConfig(1);
    const first = await harness.provider.reconcile({ cluster, region: REGION, config });
    const rotated = { ...config, sshPublicKey: sshPublicKey() };
    const second = await harness.provider.reconcile({
      cluster,
      region: REGION,
      config: rotated,
      state: first.state,
    });
    const keyPairs = harness.fake.state
      .keyPairs()
      .filter((keyPair) => keyPair.keyName === second.status.keyName);
    expect(keyPairs).toHaveLength(1);
    expect(keyPairs[0]?.publicKey.split(' ')[1]).toBe(rotated.sshPublicKey.split(' ')[1]);
    await harness.provider.delete({ cluster, region: REGION, config: rotated, state: second.state });
    expect(harness.fake.state.keyPairs().some((keyPair) => keyPair.keyName === second.status.keyName)).toBe(
      false,
    );
  });

  it('adds a zone on a later reconcile and keeps the existing zones as they are', async () => {
    const cluster = 'add-zone';
    const one = managedConfig(1);
    const first = await harness.provider.reconcile({ cluster, region: REGION, config: one });
    const two = { ...managedConfig(2), sshPublicKey: one.sshPublicKey };
    const second = await harness.provider.reconcile({
      cluster,
      region: REGION,
      config: two,
      state: first.state,
    });
    expect(second.status.subnets[0]).toEqual(first.status.subnets[0]);
    expect(second.status.zones.map((zone) => zone.natGatewayId)).toEqual([
      first.status.zones[0]?.natGatewayId,
      expect.stringMatching(/^nat-/),
    ]);
    const endpoint = harness.fake.state
      .vpcEndpoints()
      .find((candidate) => candidate.vpcEndpointId === second.status.vpcEndpoints.s3);
    expect(endpoint?.routeTableIds).toContain(second.status.zones[1]?.privateRouteTableId);
    await harness.provider.delete({ cluster, region: REGION, config: two, state: second.state });
  });
  it('restores its tags on managed resources and removes foreign ones, except those ignoreTags covers', async () => {
    const cluster = 'tag-drift';
    const config = { ...managedConfig(1), ignoreTags: { keys: ['team'], keyPrefixes: ['example.com/'] } };
    const first = await harness.provider.reconcile({ cluster, region: REGION, config });
    const vpcId = first.status.vpcId;
    await harness.ec2.send(
      new CreateTagsCommand({
        Resources: [vpcId],
        Tags: [
          { Key: 'Name', Value: 'renamed' },
          { Key: 'team', Value: 'network' },
          { Key: 'example.com/cost-center', Value: '42' },
          { Key: 'stray', Value: 'x' },
        ],
      }),
    );
    await harness.ec2.send(
      new DeleteTagsCommand({ Resources: [vpcId], Tags: [{ Key: `kubernetes.io/cluster/${cluster}` }] }),
    );
    const second = await harness.provider.reconcile({ cluster, region: REGION, config, state: first.state });
    expect(second.status.vpcId).toBe(vpcId);
    expect(harness.fake.state.tagsOf(vpcId)).toEqual({
      Name: cluster,
      [`kubernetes.io/cluster/${cluster}`]: 'owned',
      team: 'network',
      'example.com/cost-center': '42',
    });
    await harness.provider.delete({ cluster, region: REGION, config, state: second.state });
  });
  it('works on the zones in parallel: every zone NAT gateway is requested before any zone is wired up', async () => {
    harness.fake.setInstanceTransitionDelays({ natGatewayPendingMs: 300 });
    try {
      const cluster = 'parallel-zones';
      const config = managedConfig(3);
      const start = harness.fake.calls.entries.length;
      const { state } = await harness.provider.reconcile({ cluster, region: REGION, config });
      const actions = harness.fake.calls.entries.slice(start).map((entry) => entry.action);
      const natCreates = actions.flatMap((action, index) => (action === 'CreateNatGateway' ? [index] : []));
      expect(natCreates).toHaveLength(3);
      // One zone after the other would associate zone a's subnets before asking for zone b's gateway.
      expect(natCreates.at(-1)).toBeLessThan(actions.indexOf('AssociateRouteTable'));
      await harness.provider.delete({ cluster, region: REGION, config, state });
    } finally {
      harness.fake.setInstanceTransitionDelays({ natGatewayPendingMs: 5 });
    }
  });
});
