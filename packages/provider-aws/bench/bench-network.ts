import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { AwsMachineClass } from '@trellis/provider-aws';
import type { Ec2Fake } from '@trellis/provider-aws/testing';

export const REGION = 'eu-west-1';
/** Dummy keys for the offline fake. */
export const CREDENTIALS = { accessKeyId: 'AKIDTRELLISBENCH', secretAccessKey: 'trellis-bench-secret' };

/** A client on the fake that does no retries and no rate limiting (the "naive driver"). */
export function plainClient(url: string): EC2Client {
  return new EC2Client({ endpoint: url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
}

/** A VPC with a /16 subnet and a security group; returns a machine class launching into them. */
export async function arrangeNetwork(fake: Ec2Fake): Promise<AwsMachineClass> {
  const client = plainClient(fake.url);
  const vpc = await client.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnet = await client.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/16', AvailabilityZone: `${REGION}a` }),
  );
  const group = await client.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'nodes', Description: 'nodes' }),
  );
  client.destroy();
  return {
    ami: 'ami-0123456789abcdef0',
    machineType: 'm5.large',
    region: REGION,
    iam: { name: 'nodes' },
    networkInterfaces: [{ subnetID: subnet.Subnet!.SubnetId!, securityGroupIDs: [group.GroupId!] }],
  };
}
