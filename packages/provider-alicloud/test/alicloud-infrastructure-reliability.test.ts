import * as $Vpc from '@alicloud/vpc20160428';
import type { InfrastructureState, TrellisError } from '@trellis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlicloudProviderContext } from '../src/alicloud-settings.js';
import { createAlicloudInfrastructureProvider } from '../src/index.js';
import { teaConfig } from '../src/tea-config.js';
import { type EcsFake, startEcsFake } from '../src/testing/index.js';
import { Vpc } from '../src/vpc-client.js';
import {
  FAST_TIMING,
  fakeContext,
  fakeSettings,
  inventoryOf,
  managedConfig,
  REGION,
  startNetworkFake,
} from './alicloud-infrastructure-harness.js';

let fake: EcsFake;
beforeEach(async () => {
  fake = await startNetworkFake();
});
afterEach(() => fake.close());

const providerOn = () => createAlicloudInfrastructureProvider(fakeContext(fake), FAST_TIMING);
const CREATES = [
  'CreateVpc',
  'CreateVSwitch',
  'CreateSecurityGroup',
  'CreateNatGateway',
  'AllocateEipAddress',
  'CreateSnatEntry',
];

/** A VPC SDK client of a user, straight on the fake. */
function userVpcClient() {
  const context = createAlicloudProviderContext(fakeSettings(fake));
  return new Vpc(teaConfig(context.clients.options, context.clients.options.endpoints.vpc));
}

describe('Alibaba Cloud infrastructure: crashes, lost answers, tags', () => {
  it('tags every resource in its create call: nothing exists untagged, nothing is tagged afterwards', async () => {
    const provider = providerOn();
    const cluster = 'shoot--tags';
    const { state } = await provider.reconcile({ cluster, region: REGION, config: managedConfig() });
    const tagged = fake.network().filter((resource) => resource.kind !== 'snat-entry');
    expect(tagged.length).toBe(7); // VPC, security group, 2 vSwitches, NAT gateway, 2 EIPs
    for (const resource of tagged) {
      expect(resource.tags).toEqual({ [`kubernetes.io/cluster/${cluster}`]: '1', Name: resource.name });
    }
    // The fake answers TagResources with InvalidAction.NotFound: it was never needed.
    expect(fake.calls.count('TagResources')).toBe(0);
    expect(
      fake
        .network('snat-entry')
        .map((entry) => entry.name)
        .sort(),
    ).toEqual([`${cluster}-snat-${REGION}a`, `${cluster}-snat-${REGION}b`]);
    await provider.delete({ cluster, region: REGION, config: managedConfig(), state });
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('makes exactly one of each resource when a third of the create answers are lost', async () => {
    fake.faults.add({ kind: 'lost-response', rate: 0.3, actions: CREATES });
    // A lost AuthorizeSecurityGroup answer: its retry is refused as a duplicate, and read again.
    fake.faults.add({ kind: 'lost-response', rate: 1, actions: ['AuthorizeSecurityGroup'] });
    const provider = providerOn();
    const cluster = 'shoot--lost';
    const { state, status } = await provider.reconcile({ cluster, region: REGION, config: managedConfig() });
    const lost = fake.calls.entries.filter((entry) => entry.fault === 'lost-response').length;
    expect(lost).toBeGreaterThan(0);
    const kinds = fake
      .network()
      .map((resource) => resource.kind)
      .sort();
    expect(kinds).toEqual([
      'eip',
      'eip',
      'nat-gateway',
      'security-group',
      'snat-entry',
      'snat-entry',
      'vpc',
      'vswitch',
      'vswitch',
    ]);
    expect(status.egressCIDRs).toHaveLength(2);
    expect(fake.calls.count('AuthorizeSecurityGroup')).toBeGreaterThan(1);
    expect(fake.securityGroupRules(status.securityGroupIds[0]!)).toHaveLength(8);
    await provider.delete({ cluster, region: REGION, config: managedConfig(), state });
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('deletes what a create made whose answer never came back (a write-ahead mark, found by its tags)', async () => {
    fake.faults.add({ kind: 'lost-response', rate: 1, actions: ['CreateNatGateway'] });
    const provider = providerOn();
    const cluster = 'shoot--mark';
    let saved: InfrastructureState | undefined;
    // The process "dies" once CreateNatGateway reached the cloud: its answer is lost, and the
    // reconcile is stopped before any retry or look-up could record the gateway.
    const controller = new AbortController();
    const watch = setInterval(() => {
      if (fake.calls.count('CreateNatGateway') > 0) controller.abort();
    }, 1);
    const failed = provider.reconcile(
      { cluster, region: REGION, config: managedConfig() },
      {
        signal: controller.signal,
        onState: (state) => {
          saved = structuredClone(state);
        },
      },
    );
    await expect(failed).rejects.toMatchObject({ code: 'Canceled' });
    clearInterval(watch);
    expect(fake.network('nat-gateway')).toHaveLength(1);
    expect(saved?.resources['nat-gateway']).toMatchObject({ id: '', attributes: { pending: true } });
    await provider.delete({ cluster, region: REGION, config: managedConfig(), state: saved });
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('resumes an interrupted delete from the state it reported', async () => {
    const provider = providerOn();
    const cluster = 'shoot--delete';
    const request = { cluster, region: REGION, config: managedConfig() };
    const { state } = await provider.reconcile(request);
    let persisted: InfrastructureState = state;
    const controller = new AbortController();
    let saves = 0;
    await expect(
      provider.delete(
        { ...request, state },
        {
          signal: controller.signal,
          onState: (next) => {
            persisted = structuredClone(next);
            saves += 1;
            if (saves === 3) controller.abort();
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'Canceled' });
    expect(inventoryOf(fake).length).toBeGreaterThan(0);
    await provider.delete({ ...request, state: persisted });
    expect(inventoryOf(fake)).toEqual([]);
  });
});

describe('Alibaba Cloud infrastructure after an interrupted delete', () => {
  it('reconciles again onto a NAT gateway that is still being deleted: a new one, and nothing left at the end', async () => {
    // Deleting lasts long enough for the watch below to see it on a busy machine.
    const slow = await startEcsFake({ pendingMs: 800 });
    try {
      // One attempt per step and a short wait: waiting for the old gateway to become Available
      // (it never does) would fail the reconcile instead of being recovered by a retry.
      const provider = createAlicloudInfrastructureProvider(fakeContext(slow), {
        ...FAST_TIMING,
        waitTimeoutMs: 5_000,
        stepRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      const request = { cluster: 'shoot--redo', region: REGION, config: managedConfig() };
      const first = await provider.reconcile(request);
      let persisted: InfrastructureState = first.state;
      const controller = new AbortController();
      const watch = setInterval(() => {
        if (slow.network('nat-gateway')[0]?.status === 'Deleting') controller.abort();
      }, 1);
      await expect(
        provider.delete(
          { ...request, state: first.state },
          {
            signal: controller.signal,
            onState: (next) => {
              persisted = structuredClone(next);
            },
          },
        ),
      ).rejects.toMatchObject({ code: 'Canceled' });
      clearInterval(watch);
      expect(persisted.resources['nat-gateway']?.id).toBe(first.status.natGatewayId);

      const again = await provider.reconcile({ ...request, state: persisted });
      expect(again.status.natGatewayId).not.toBe(first.status.natGatewayId);
      expect(again.status.egressCIDRs).toHaveLength(2);
      await provider.delete({ ...request, state: again.state });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(inventoryOf(slow)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

describe('Alibaba Cloud infrastructure in your own VPC', () => {
  /** A VPC with a vSwitch, a NAT gateway and an EIP of the user's (none carries a cluster tag). */
  async function userNetwork() {
    const vpc = userVpcClient();
    const { body: made } = await vpc.createVpc(
      new $Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.0.0.0/8', vpcName: 'corp' }),
    );
    const vpcId = made!.vpcId!;
    await new Promise((resolve) => setTimeout(resolve, 40));
    const { body: vsw } = await vpc.createVSwitch(
      new $Vpc.CreateVSwitchRequest({
        regionId: REGION,
        vpcId,
        zoneId: `${REGION}a`,
        cidrBlock: '10.9.0.0/16',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    const { body: nat } = await vpc.createNatGateway(
      new $Vpc.CreateNatGatewayRequest({
        regionId: REGION,
        vpcId,
        vSwitchId: vsw!.vSwitchId!,
        natType: 'Enhanced',
        name: 'corp-nat',
      }),
    );
    const { body: eip } = await vpc.allocateEipAddress(
      new $Vpc.AllocateEipAddressRequest({ regionId: REGION, name: 'corp-eip' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    return { vpcId, natGatewayId: nat!.natGatewayId!, eipId: eip!.allocationId! };
  }

  it("uses the VPC's NAT gateway and the user's EIP, and deletes none of them", async () => {
    const user = await userNetwork();
    const before = inventoryOf(fake);
    const provider = providerOn();
    const config = {
      networks: {
        vpc: { id: user.vpcId },
        zones: [
          { name: `${REGION}a`, workers: '10.250.0.0/19', natGateway: { eipAllocationID: user.eipId } },
        ],
      },
    };
    const cluster = 'shoot--byo';
    const { state, status } = await provider.reconcile({ cluster, region: REGION, config });
    expect(status.networkId).toBe(user.vpcId);
    expect(status.natGatewayId).toBe(user.natGatewayId);
    const eip = fake.network('eip').find((resource) => resource.id === user.eipId)!;
    expect(eip.fields.InstanceId).toBe(user.natGatewayId);
    expect(status.egressCIDRs).toEqual([`${eip.fields.IpAddress}/32`]);
    expect(state.resources.vpc).toMatchObject({ managed: false });
    await provider.delete({ cluster, region: REGION, config, state });
    expect(inventoryOf(fake)).toEqual(before);
    expect(fake.network('eip')[0]!.status).toBe('Available');
  });

  it('refuses, before creating anything, a VPC or EIP that does not exist', async () => {
    const provider = providerOn();
    const config = {
      networks: {
        vpc: { id: 'vpc-missing' },
        zones: [
          { name: `${REGION}a`, workers: '10.250.0.0/19', natGateway: { eipAllocationID: 'eip-missing' } },
        ],
      },
    };
    const failure = await provider
      .reconcile({ cluster: 'shoot--missing', region: REGION, config })
      .catch((error) => error);
    expect(failure).toMatchObject({ code: 'InvalidArgument' });
    expect((failure as TrellisError).issues?.map((issue) => issue.path)).toEqual([
      'networks.vpc.id',
      'networks.zones[0].natGateway.eipAllocationID',
    ]);
    expect(inventoryOf(fake)).toEqual([]);
  });

  it('refuses a second NAT gateway choice and a changed workers CIDR on update', async () => {
    const provider = providerOn();
    const request = { cluster: 'shoot--update', region: REGION, config: managedConfig() };
    const { state } = await provider.reconcile(request);
    const changed = managedConfig();
    changed.networks.zones[1] = { ...changed.networks.zones[1]!, workers: '10.250.64.0/19' };
    const failure = await provider.reconcile({ ...request, config: changed, state }).catch((error) => error);
    expect(failure).toMatchObject({ code: 'InvalidArgument' });
    expect((failure as TrellisError).issues).toEqual([
      { path: 'networks.zones[1].workers', message: 'is immutable' },
    ]);
    await provider.delete({ ...request, state });
  });
});
