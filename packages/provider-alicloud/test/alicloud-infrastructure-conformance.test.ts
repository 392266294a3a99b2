import * as $Vpc from '@alicloud/vpc20160428';
import { infrastructureProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
import { describe } from 'vitest';
import { createAlicloudProvider } from '../src/index.js';
import { vpcClient } from '../src/vpc-client.js';
import {
  infrastructureSubject,
  invalidConfigs,
  startNetworkFake,
} from './alicloud-infrastructure-harness.js';

infrastructureProviderConformance({
  name: 'Alibaba Cloud infrastructure against the offline ECS/VPC fake',
  timeoutMs: 300_000,
  setup: async () => infrastructureSubject(await startNetworkFake()),
});

infrastructureProviderConformance({
  name: 'Alibaba Cloud infrastructure with 10% throttling and 10% 5xx on every call',
  timeoutMs: 600_000,
  async setup() {
    const fake = await startNetworkFake();
    const faultsHit = injectFaultShare(fake);
    const subject = infrastructureSubject(fake);
    return {
      ...subject,
      async cleanup() {
        await fake.close();
        // The suite proves nothing unless faults really hit it.
        faultsHit();
      },
    };
  },
});

const live = process.env.TRELLIS_ALICLOUD_LIVE === '1';
const liveRegion = process.env.TRELLIS_ALICLOUD_REGION ?? '';
describe.skipIf(!live || !liveRegion)(
  'live Alibaba Cloud (set TRELLIS_ALICLOUD_LIVE=1, TRELLIS_ALICLOUD_REGION and ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET to run; creates VPCs, Enhanced NAT gateways and EIPs, billed by the hour, and deletes them)',
  () => {
    infrastructureProviderConformance({
      name: `Alibaba Cloud infrastructure against real Alibaba Cloud in ${liveRegion}`,
      timeoutMs: 3_600_000,
      skip: {
        'interrupted-reconcile-resumes':
          'one reconcile and delete per step (NAT gateways take minutes) is too long against the real cloud; run against the fake',
      },
      async setup() {
        const provider = createAlicloudProvider({ region: liveRegion });
        const config = {
          networks: {
            vpc: { cidr: '10.250.0.0/16' },
            zones: [{ name: `${liveRegion}a`, workers: '10.250.0.0/19' }],
          },
        };
        // Every VPC, vSwitch, NAT gateway and EIP of the region (the suite compares before and after).
        const vpc = vpcClient(provider.context.clients);
        const ids = async () => {
          const request = { regionId: liveRegion, pageSize: 50 };
          const [vpcs, vswitches, gateways, eips] = await Promise.all([
            vpc.describeVpcs(new $Vpc.DescribeVpcsRequest(request)),
            vpc.describeVSwitches(new $Vpc.DescribeVSwitchesRequest(request)),
            vpc.describeNatGateways(new $Vpc.DescribeNatGatewaysRequest(request)),
            vpc.describeEipAddresses(new $Vpc.DescribeEipAddressesRequest(request)),
          ]);
          return [
            ...(vpcs.body?.vpcs?.vpc ?? []).map((item) => item.vpcId ?? ''),
            ...(vswitches.body?.vSwitches?.vSwitch ?? []).map((item) => item.vSwitchId ?? ''),
            ...(gateways.body?.natGateways?.natGateway ?? []).map((item) => item.natGatewayId ?? ''),
            ...(eips.body?.eipAddresses?.eipAddress ?? []).map((item) => item.allocationId ?? ''),
          ].sort();
        };
        return {
          provider: provider.infrastructure,
          region: liveRegion,
          config,
          invalidConfigs,
          zones: [`${liveRegion}a`],
          inventory: ids,
        };
      },
    });
  },
);
