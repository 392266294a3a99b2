import type { S3Client } from '@aws-sdk/client-s3';
import type { BackupStore, MachineProvider } from '@trellis/core';
import {
  lazily,
  lazyBackupStore,
  lazyInfrastructureProvider,
  lazyMachineProvider,
} from '@trellis/provider-kit';
import type { AwsInfrastructureConfig } from './aws-infrastructure-config.js';
import { awsInfrastructureConfigSchema } from './aws-infrastructure-config.js';
import type {
  AwsInfrastructureProvider,
  AwsInfrastructureProviderOptions,
} from './aws-infrastructure-provider.js';
import type { AwsInfrastructureStatus } from './aws-infrastructure-status.js';
import { type AwsMachineClass, validateAwsMachineSpec } from './aws-machine-class.js';
import type { AwsClients, AwsProviderContext } from './aws-settings.js';
import type { S3BackupStoreOptions } from './s3-backup-store.js';
import type { EnsureBucketOptions, EnsureBucketResult } from './s3-ensure-bucket.js';

// The main entry's parts that call AWS. Each loads its implementation, and with it the SDK
// package it needs, on first use: a program that only lists machines never loads S3 or IAM, and
// importing `@trellis/provider-aws` loads no SDK at all.

/**
 * The EC2 machine provider: idempotent create with client tokens and lookup by ownership tags,
 * batched reads, rate-limited and retried API calls. `@aws-sdk/client-ec2` loads on the first call.
 */
export function createAwsMachineProvider(context: AwsProviderContext): MachineProvider<AwsMachineClass> {
  return lazyMachineProvider({
    provider: 'aws',
    validateSpec: (spec) => validateAwsMachineSpec(spec, context.region),
    load: async () => (await import('./aws-machine-provider.js')).createAwsMachineProvider(context),
  });
}

/**
 * The AWS infrastructure provider (Gardener's AWS Infrastructure actuator): reconciles a cluster's
 * VPC, subnets, NAT gateways, route tables, security group, IAM instance profile, key pair and
 * gateway endpoints as a graph of idempotent steps with the state saved after each, and deletes
 * exactly what it created. The EC2 and IAM SDKs load on the first reconcile or delete.
 */
export function createAwsInfrastructureProvider(
  options: AwsInfrastructureProviderOptions,
): AwsInfrastructureProvider {
  return lazyInfrastructureProvider<AwsInfrastructureConfig, AwsInfrastructureStatus>({
    provider: 'aws',
    validateConfig: (config) => awsInfrastructureConfigSchema.parse(config),
    load: async () =>
      (await import('./aws-infrastructure-provider.js')).createAwsInfrastructureProvider(options),
  });
}

/**
 * An S3 backup store: multipart uploads streamed with bounded memory, each part signed with the
 * source's SHA-256 of it (S3 checks it) and the parts' composite SHA-256 verified end to end,
 * etcd-backup-restore's layout. `@aws-sdk/client-s3` and `lib-storage` load on the first call.
 */
export function createS3BackupStore(options: S3BackupStoreOptions): BackupStore {
  return lazyBackupStore({
    provider: 'aws',
    load: async () => (await import('./s3-backup-store.js')).createS3BackupStore(options),
  });
}

const loadEnsureBucket = lazily(
  'S3 bucket setup',
  'aws',
  async () => (await import('./s3-ensure-bucket.js')).ensureBucket,
);

/**
 * Creates the bucket when missing and applies the settings Trellis expects (public access blocked,
 * encryption, a lifecycle rule aborting incomplete uploads). Pass an `S3Client` or the provider's
 * `context.clients`.
 */
export async function ensureBucket(
  client: S3Client | AwsClients,
  bucket: string,
  options?: EnsureBucketOptions,
): Promise<EnsureBucketResult> {
  return (await loadEnsureBucket())(client, bucket, options);
}
