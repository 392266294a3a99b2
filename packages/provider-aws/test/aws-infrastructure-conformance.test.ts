import { CreateVpcCommand, DeleteVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { infrastructureProviderConformance } from '@trellis/testkit';
import { injectFaultShare } from '@trellis/testkit/fake';
import { describe } from 'vitest';
import { createAwsProvider } from '../src/aws-provider.js';
import {
  type InfrastructureHarness,
  invalidConfigs,
  managedConfig,
  REGION,
  startInfrastructureHarness,
} from './aws-infrastructure-harness.js';

const zones = managedConfig(2).networks.zones.map((zone) => zone.name);

infrastructureProviderConformance({
  name: 'AWS infrastructure provider against the offline EC2 fake',
  timeoutMs: 300_000,
  async setup() {
    const harness = await startInfrastructureHarness();
    return {
      provider: harness.provider,
      region: REGION,
      config: managedConfig(2),
      invalidConfigs,
      zones,
      inventory: harness.inventory,
      createForeignResource: harness.createForeignVpc,
      cleanup: harness.close,
    };
  },
});

infrastructureProviderConformance({
  name: 'AWS infrastructure provider with 10% throttling and 10% 5xx on every action',
  timeoutMs: 600_000,
  async setup() {
    const faulted: InfrastructureHarness = await startInfrastructureHarness({ seed: 7 });
    const faultsHit = injectFaultShare(faulted.fake);
    return {
      provider: faulted.provider,
      region: REGION,
      config: managedConfig(2),
      invalidConfigs,
      zones,
      inventory: faulted.inventory,
      createForeignResource: faulted.createForeignVpc,
      async cleanup() {
        await faulted.close();
        // The suite proves nothing unless faults really hit it.
        faultsHit();
      },
    };
  },
});

const live = process.env.TRELLIS_AWS_LIVE === '1';
const liveRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-1';
describe.skipIf(!live)(
  'live AWS (set TRELLIS_AWS_LIVE=1 with AWS credentials in the environment to run; creates VPCs, NAT gateways and IAM roles)',
  () => {
    const ec2 = new EC2Client({ region: liveRegion });
    // The provider as users create it: credentials from the SDK's standard chain.
    const aws = createAwsProvider({ region: liveRegion });
    infrastructureProviderConformance({
      name: `AWS infrastructure provider against real AWS in ${liveRegion}`,
      timeoutMs: 3_600_000,
      skip: {
        'interrupted-reconcile-resumes':
          'one NAT gateway round trip per step takes hours against real AWS; run against the fake',
      },
      async setup() {
        const config = managedConfig(1);
        config.networks.zones[0]!.name = `${liveRegion}a`;
        const foreign: string[] = [];
        // On real AWS the inventory is the region's VPCs: listing every resource type of an
        // account is not practical, and everything the provider makes lives in (or with) its VPC.
        const inventory = async () => {
          const response = await ec2.send(new DescribeVpcsCommand({}));
          return (response.Vpcs ?? []).map((vpc) => vpc.VpcId!).sort();
        };
        return {
          provider: aws.infrastructure,
          region: liveRegion,
          config,
          zones: [config.networks.zones[0]!.name],
          invalidConfigs,
          inventory,
          async createForeignResource() {
            const response = await ec2.send(new CreateVpcCommand({ CidrBlock: '172.31.250.0/24' }));
            foreign.push(response.Vpc!.VpcId!);
            return response.Vpc!.VpcId!;
          },
          async cleanup() {
            for (const id of foreign) await ec2.send(new DeleteVpcCommand({ VpcId: id }));
            ec2.destroy();
            await aws.close();
          },
        };
      },
    });
  },
);
