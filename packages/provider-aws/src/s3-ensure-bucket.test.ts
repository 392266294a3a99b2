// What ensureBucket asks S3 for, against a scripted client: s3rver implements none of the three
// bucket settings, so their requests are checked here (the live suite runs them against AWS).
import type { S3Client } from '@aws-sdk/client-s3';
import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ensureBucket } from './s3-ensure-bucket.js';
import { ABORT_INCOMPLETE_UPLOADS_RULE_ID } from './s3-names.js';

type Reply = (input: Record<string, unknown>) => unknown;

function awsError(code: string, status: number): Error {
  return Object.assign(new Error(`${code} from S3`), {
    name: code,
    Code: code,
    $metadata: { httpStatusCode: status },
  });
}

/** A client that answers each command by name (default: an empty success) and records the calls. */
function scriptedClient(replies: Record<string, Reply> = {}, region = 'eu-west-1') {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  const client = {
    config: { region: async () => region },
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push({ command: name, input: command.input });
      return (replies[name] ?? (() => ({})))(command.input);
    },
  };
  return { client: client as unknown as S3Client, calls };
}

const missingBucket: Reply = () => {
  throw awsError('NotFound', 404);
};

describe('ensureBucket', () => {
  it('creates a missing bucket in the client region, private, encrypted, with the upload cleanup rule', async () => {
    const { client, calls } = scriptedClient({
      HeadBucket: missingBucket,
      GetBucketLifecycleConfiguration: () => {
        throw awsError('NoSuchLifecycleConfiguration', 404);
      },
    });
    expect(await ensureBucket(client, 'backups')).toEqual({
      created: true,
      configured: ['publicAccessBlock', 'encryption', 'lifecycle'],
    });
    expect(calls.map((call) => call.command)).toEqual([
      'HeadBucket',
      'CreateBucket',
      'PutPublicAccessBlock',
      'PutBucketEncryption',
      'GetBucketLifecycleConfiguration',
      'PutBucketLifecycleConfiguration',
    ]);
    const input = (command: string) => calls.find((call) => call.command === command)?.input;
    expect(input('CreateBucket')).toEqual({
      Bucket: 'backups',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(input('PutPublicAccessBlock')).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(input('PutBucketEncryption')).toMatchObject({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(input('PutBucketLifecycleConfiguration')).toMatchObject({
      LifecycleConfiguration: {
        Rules: [
          {
            ID: ABORT_INCOMPLETE_UPLOADS_RULE_ID,
            Status: 'Enabled',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      },
    });
  });

  it('keeps the bucket’s other lifecycle rules, replaces its own, and uses a KMS key when asked', async () => {
    const other = {
      ID: 'expire-logs',
      Status: 'Enabled',
      Filter: { Prefix: 'logs/' },
      Expiration: { Days: 30 },
    };
    const { client, calls } = scriptedClient({
      GetBucketLifecycleConfiguration: () => ({
        Rules: [
          other,
          {
            ID: ABORT_INCOMPLETE_UPLOADS_RULE_ID,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
          },
        ],
      }),
    });
    const result = await ensureBucket(client, 'backups', {
      encryption: { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc' },
      abortIncompleteUploadsAfterDays: 2,
    });
    expect(result.created).toBe(false);
    expect(calls.map((call) => call.command)).not.toContain('CreateBucket');
    const lifecycle = calls.find((call) => call.command === 'PutBucketLifecycleConfiguration')?.input as {
      LifecycleConfiguration: { Rules: Array<Record<string, unknown>> };
    };
    expect(lifecycle.LifecycleConfiguration.Rules).toEqual([
      other,
      expect.objectContaining({
        ID: ABORT_INCOMPLETE_UPLOADS_RULE_ID,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
      }),
    ]);
    expect(calls.find((call) => call.command === 'PutBucketEncryption')?.input).toMatchObject({
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
            },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
  });

  it('takes a bucket created concurrently (BucketAlreadyOwnedByYou) as existing', async () => {
    const { client } = scriptedClient({
      HeadBucket: missingBucket,
      CreateBucket: () => {
        throw awsError('BucketAlreadyOwnedByYou', 409);
      },
    });
    expect(await ensureBucket(client, 'backups', { skip: ['lifecycle'] })).toEqual({
      created: false,
      configured: ['publicAccessBlock', 'encryption'],
    });
  });

  it('sends no LocationConstraint in us-east-1', async () => {
    const { client, calls } = scriptedClient({ HeadBucket: missingBucket }, 'us-east-1');
    await ensureBucket(client, 'backups', { skip: ['publicAccessBlock', 'encryption', 'lifecycle'] });
    expect(calls.find((call) => call.command === 'CreateBucket')?.input).toEqual({ Bucket: 'backups' });
  });

  it('never swallows a real error: AccessDenied on a setting is PermissionDenied', async () => {
    const { client } = scriptedClient({
      PutBucketEncryption: () => {
        throw awsError('AccessDenied', 403);
      },
    });
    await expect(ensureBucket(client, 'backups')).rejects.toSatisfy(
      (error) =>
        TrellisError.hasCode(error, 'PermissionDenied') && error.operation === 'ensureBucket:encryption',
    );
  });

  it('does not try to create a bucket it may not see (403 on HeadBucket)', async () => {
    const { client, calls } = scriptedClient({
      HeadBucket: () => {
        throw awsError('Forbidden', 403);
      },
    });
    await expect(ensureBucket(client, 'someone-elses')).rejects.toSatisfy((error) =>
      TrellisError.hasCode(error, 'PermissionDenied'),
    );
    expect(calls.map((call) => call.command)).toEqual(['HeadBucket']);
  });
});
