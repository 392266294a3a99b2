import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import type { Ec2Fake } from '../src/testing/index.js';

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
