import { generateKeyPairSync } from 'node:crypto';
import { CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { createAwsApi } from '../src/aws-api.js';
import type { AwsInfrastructureConfig } from '../src/aws-infrastructure-config.js';
import {
  type AwsInfrastructureProvider,
  createAwsInfrastructureProvider,
} from '../src/aws-infrastructure-provider.js';
import { type Ec2Fake, startEc2Fake } from '../src/testing/index.js';

export const REGION = 'eu-west-1';

/** An OpenSSH `ssh-ed25519` public key line, made fresh. */
export function sshPublicKey(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  const raw = der.subarray(der.length - 32);
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} trellis-test`;
}

/** A managed VPC with `zones` zones (a, b, c, ...), one /19 + two /20 per zone. */
export function managedConfig(
  zones = 2,
  extra: Partial<AwsInfrastructureConfig> = {},
): AwsInfrastructureConfig {
  return {
    networks: {
      vpc: { cidr: '10.0.0.0/16', gatewayEndpoints: ['s3'] },
      zones: Array.from({ length: zones }, (_, index) => ({
        name: `${REGION}${String.fromCharCode(97 + index)}`,
        workers: `10.0.${index * 64}.0/19`,
        public: `10.0.${index * 64 + 32}.0/20`,
        internal: `10.0.${index * 64 + 48}.0/20`,
      })),
    },
    nodesCidr: '10.0.0.0/16',
    podsCidr: '100.96.0.0/11',
    servicesCidr: '100.64.0.0/13',
    sshPublicKey: sshPublicKey(),
    ...extra,
  };
}

/** Configs the provider must reject, with the path of the problem. */
export const invalidConfigs = [
  { config: { networks: { vpc: { cidr: '10.0.0.0/16' }, zones: [] } }, path: 'networks.zones' },
  {
    config: {
      ...managedConfig(1),
      networks: { ...managedConfig(1).networks, vpc: { id: 'vpc-1', cidr: '10.0.0.0/16' } },
    },
    path: 'networks.vpc',
  },
  {
    config: {
      networks: {
        vpc: { cidr: '10.0.0.0/16' },
        zones: [
          { name: 'eu-west-1a', workers: '10.0.0.0/19', public: '10.0.16.0/20', internal: '10.0.48.0/20' },
        ],
      },
    },
    path: 'networks.zones[0].public',
  },
];

/** A fake with tiny NAT gateway delays, clients pointed at it, and the provider under test. */
export interface InfrastructureHarness {
  readonly fake: Ec2Fake;
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly provider: AwsInfrastructureProvider;
  /** Ids of every live resource in the fake. */
  inventory(): Promise<string[]>;
  /** A VPC made straight through the SDK, which the provider must never touch. */
  createForeignVpc(): Promise<string>;
  close(): Promise<void>;
}

export async function startInfrastructureHarness(
  options: { seed?: number } = {},
): Promise<InfrastructureHarness> {
  const fake = await startEc2Fake({
    region: REGION,
    seed: options.seed,
    delays: { natGatewayPendingMs: 5, natGatewayDeletingMs: 5, pendingMs: 5, shuttingDownMs: 5 },
  });
  const clientConfig = {
    endpoint: fake.url,
    region: REGION,
    credentials: { accessKeyId: 'AKIDTRELLISTEST', secretAccessKey: 'trellis-test-secret' },
  };
  // The provider's clients make one attempt per call, as AwsClients does: AwsApi retries.
  const providerEc2 = new EC2Client({ ...clientConfig, maxAttempts: 1 });
  const providerIam = new IAMClient({ ...clientConfig, maxAttempts: 1 });
  // The test's own clients retry on their own, so injected faults never break a test's setup.
  const ec2 = new EC2Client({ ...clientConfig, maxAttempts: 10 });
  const iam = new IAMClient({ ...clientConfig, maxAttempts: 10 });
  const generous = { capacity: 100_000, refillPerSecond: 100_000 };
  const api = createAwsApi({
    rateLimits: { describe: generous, mutating: generous, iam: generous },
    baseDelayMs: 2,
    throttledBaseDelayMs: 2,
    maxDelayMs: 20,
  });
  const provider = createAwsInfrastructureProvider({
    clients: { ec2: providerEc2, iam: providerIam },
    api,
    timing: {
      pollIntervalMs: 5,
      stepRetry: { attempts: 6, baseDelayMs: 2, maxDelayMs: 20 },
      deleteRetry: { attempts: 20, baseDelayMs: 2, maxDelayMs: 20 },
    },
  });
  return {
    fake,
    ec2,
    iam,
    provider,
    inventory: async () => fake.state.resources(),
    async createForeignVpc() {
      const response = await ec2.send(new CreateVpcCommand({ CidrBlock: '172.16.0.0/16' }));
      return response.Vpc!.VpcId!;
    },
    async close() {
      for (const client of [ec2, iam, providerEc2, providerIam]) client.destroy();
      await fake.close();
    },
  };
}
