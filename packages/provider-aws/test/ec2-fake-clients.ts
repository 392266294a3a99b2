import { CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll } from 'vitest';
import { type Ec2Fake, type Ec2FakeOptions, startEc2Fake } from '../src/testing/index.js';

const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' };

/** A real EC2 client pointed at the fake (no retries unless asked, so faults are visible). */
export function ec2ClientFor(
  fake: Ec2Fake,
  options: { maxAttempts?: number; region?: string } = {},
): EC2Client {
  return new EC2Client({
    endpoint: fake.url,
    region: options.region ?? 'eu-west-1',
    credentials,
    maxAttempts: options.maxAttempts ?? 1,
  });
}

/** A real IAM client pointed at the fake. */
export function iamClientFor(fake: Ec2Fake, options: { maxAttempts?: number } = {}): IAMClient {
  return new IAMClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: options.maxAttempts ?? 1,
  });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The fake and a client to it, both live between beforeAll and afterAll. */
export interface Ec2FakeSession {
  readonly fake: Ec2Fake;
  readonly ec2: EC2Client;
}

/**
 * Starts an EC2 fake and an EC2 client to it in beforeAll, and stops both in afterAll. Call it at
 * the top level of a test file; read `fake` and `ec2` only inside tests.
 */
export function useEc2Fake(options: Ec2FakeOptions = {}): Ec2FakeSession {
  let fake: Ec2Fake | undefined;
  let ec2: EC2Client | undefined;
  beforeAll(async () => {
    fake = await startEc2Fake(options);
    ec2 = ec2ClientFor(fake);
  });
  afterAll(async () => {
    ec2?.destroy();
    await fake?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the EC2 fake is not started (use it inside a test)');
    return value;
  };
  return {
    get fake() {
      return started(fake);
    },
    get ec2() {
      return started(ec2);
    },
  };
}

/** `TagSpecifications` that mark a new resource as owned by `cluster`. */
export function ownedTags(resourceType: string, cluster: string) {
  return [
    {
      ResourceType: resourceType as 'vpc',
      Tags: [{ Key: `kubernetes.io/cluster/${cluster}`, Value: 'owned' }],
    },
  ];
}

/** Creates a VPC owned by `cluster`; returns its id. */
export async function createOwnedVpc(ec2: EC2Client, cluster: string, cidr = '10.0.0.0/16'): Promise<string> {
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: ownedTags('vpc', cluster) }),
  );
  return Vpc!.VpcId!;
}
