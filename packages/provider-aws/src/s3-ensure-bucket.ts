import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  type LifecycleRule,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type CallOptions, resolveSignal, TrellisError, throwIfAborted } from '@trellis/core';
import { awsErrorCode, toTrellisError } from './aws-errors.js';
import { AwsClients } from './aws-settings.js';
import { s3Client } from './s3-client.js';
import { ABORT_INCOMPLETE_UPLOADS_RULE_ID } from './s3-names.js';

/** A bucket setting `ensureBucket` applies after creating (or finding) the bucket. */
export type BucketSetting = 'publicAccessBlock' | 'encryption' | 'lifecycle';

/** Default encryption of new objects. */
export type BucketEncryption =
  | { algorithm: 'AES256' }
  | {
      algorithm: 'aws:kms';
      /** KMS key id or ARN. @default the AWS managed key `aws/s3` */
      kmsKeyId?: string;
      /** S3 Bucket Keys cut KMS requests. @default true */
      bucketKeyEnabled?: boolean;
    };

/** Options of {@link ensureBucket}. */
export interface EnsureBucketOptions extends CallOptions {
  /** @default { algorithm: 'AES256' } */
  encryption?: BucketEncryption;
  /** Days after which an incomplete multipart upload is aborted by the lifecycle rule. @default 7 */
  abortIncompleteUploadsAfterDays?: number;
  /**
   * Settings to leave alone, for S3-compatible servers that do not implement them (s3rver
   * implements none of the three). A server answering `NotImplemented` to a setting that is not
   * skipped makes `ensureBucket` reject with `Unimplemented`.
   */
  skip?: readonly BucketSetting[];
}

/** What {@link ensureBucket} did. */
export interface EnsureBucketResult {
  /** False when the bucket existed already. */
  created: boolean;
  /** The settings applied, in order. */
  configured: BucketSetting[];
}

/** Id of the lifecycle rule `ensureBucket` owns; other rules on the bucket are kept. */

const OPERATION = 'ensureBucket';

function isNotImplemented(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return awsErrorCode(error) === 'NotImplemented' || status === 501;
}

async function createBucket(client: S3Client, bucket: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    return false;
  } catch (error) {
    const mapped = toTrellisError(error, { operation: OPERATION, signal });
    if (mapped.code !== 'NotFound') throw mapped;
  }
  const region = await client.config.region();
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region && region !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }
          : {}),
      }),
      { abortSignal: signal },
    );
    return true;
  } catch (error) {
    if (awsErrorCode(error) === 'BucketAlreadyOwnedByYou') return false;
    throw toTrellisError(error, { operation: OPERATION, signal });
  }
}

async function mergedLifecycleRules(
  client: S3Client,
  bucket: string,
  days: number,
  signal?: AbortSignal,
): Promise<LifecycleRule[]> {
  let rules: LifecycleRule[] = [];
  try {
    const current = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), {
      abortSignal: signal,
    });
    rules = current.Rules ?? [];
  } catch (error) {
    if (awsErrorCode(error) !== 'NoSuchLifecycleConfiguration') throw error;
  }
  const ours: LifecycleRule = {
    ID: ABORT_INCOMPLETE_UPLOADS_RULE_ID,
    Status: 'Enabled',
    Filter: { Prefix: '' },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  };
  return [...rules.filter((rule) => rule.ID !== ABORT_INCOMPLETE_UPLOADS_RULE_ID), ours];
}

/**
 * Makes sure a bucket fit for backups exists: creates it when missing (idempotent), blocks all
 * public access, sets default encryption (SSE-S3, or SSE-KMS with a key) and adds a lifecycle rule
 * that aborts incomplete multipart uploads (what a crashed save leaves behind) after 7 days,
 * keeping the bucket's other lifecycle rules. Errors are never swallowed: a server that does not
 * implement a setting makes it reject with `Unimplemented`, unless that setting is in `skip`.
 */
export async function ensureBucket(
  clientOrClients: S3Client | AwsClients,
  bucket: string,
  options: EnsureBucketOptions = {},
): Promise<EnsureBucketResult> {
  const client = clientOrClients instanceof AwsClients ? s3Client(clientOrClients) : clientOrClients;
  const signal = resolveSignal(options);
  const {
    encryption = { algorithm: 'AES256' },
    abortIncompleteUploadsAfterDays: days = 7,
    skip = [],
  } = options;
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new TrellisError({
      code: 'InvalidArgument',
      provider: 'aws',
      operation: OPERATION,
      message: 'abortIncompleteUploadsAfterDays must be a positive integer',
    });
  }
  throwIfAborted(signal, { provider: 'aws', operation: OPERATION });
  const created = await createBucket(client, bucket, signal);
  const steps: Record<BucketSetting, () => Promise<unknown>> = {
    publicAccessBlock: () =>
      client.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        }),
        { abortSignal: signal },
      ),
    encryption: () =>
      client.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              encryption.algorithm === 'AES256'
                ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }
                : {
                    ApplyServerSideEncryptionByDefault: {
                      SSEAlgorithm: 'aws:kms',
                      KMSMasterKeyID: encryption.kmsKeyId,
                    },
                    BucketKeyEnabled: encryption.bucketKeyEnabled ?? true,
                  },
            ],
          },
        }),
        { abortSignal: signal },
      ),
    lifecycle: async () =>
      client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: { Rules: await mergedLifecycleRules(client, bucket, days, signal) },
        }),
        { abortSignal: signal },
      ),
  };
  const configured: BucketSetting[] = [];
  for (const setting of ['publicAccessBlock', 'encryption', 'lifecycle'] as const) {
    if (skip.includes(setting)) continue;
    try {
      await steps[setting]();
    } catch (error) {
      if (isNotImplemented(error) && !signal?.aborted) {
        throw new TrellisError({
          code: 'Unimplemented',
          provider: 'aws',
          operation: OPERATION,
          message: `the S3 server does not implement the bucket setting "${setting}" (bucket ${bucket} ${
            created ? 'was created' : 'exists'
          }); pass skip: ['${setting}'] to go without it`,
          cause: error,
        });
      }
      throw toTrellisError(error, { operation: `${OPERATION}:${setting}`, signal });
    }
    configured.push(setting);
  }
  return { created, configured };
}
