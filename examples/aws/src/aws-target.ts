// Where the examples run: the offline EC2 fake and an in-process s3rver (default), or real AWS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AwsProvider, type AwsProviderSettings, createAwsProvider } from '@trellis/provider-aws';
import { startEc2Fake } from '@trellis/provider-aws/testing';
import S3rver from 's3rver';

/** The provider the examples use and what to stop afterwards. */
export interface AwsTarget {
  /** `fake` (offline) or `aws` (real AWS, through the SDK's standard credential chain). */
  readonly mode: 'fake' | 'aws';
  readonly region: string;
  readonly provider: AwsProvider;
  /** The bucket for backups: made in s3rver offline, `TRELLIS_AWS_BUCKET` on AWS. */
  readonly bucket: string;
  close(): Promise<void>;
}

/** Dummy keys for the offline servers (s3rver only accepts its own). */
const OFFLINE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** True when the examples should use real AWS. */
export const live = process.env.TRELLIS_AWS_LIVE === '1';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} to run this example against AWS (TRELLIS_AWS_LIVE=1)`);
  return value;
}

/** Opens the target: real AWS when `TRELLIS_AWS_LIVE=1`, else the offline fakes on 127.0.0.1. */
export async function openTarget(options: { s3?: boolean } = {}): Promise<AwsTarget> {
  if (live) {
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? required('AWS_REGION');
    const provider = createAwsProvider({ region });
    return {
      mode: 'aws',
      region,
      provider,
      bucket: options.s3 ? required('TRELLIS_AWS_BUCKET') : '',
      close: () => provider.close(),
    };
  }
  const region = 'eu-west-1';
  const fake = await startEc2Fake({ region, delays: { natGatewayPendingMs: 10, natGatewayDeletingMs: 10 } });
  const settings: AwsProviderSettings = {
    region,
    credentials: OFFLINE_CREDENTIALS,
    endpoints: { ec2: fake.url, iam: fake.url },
  };
  let s3: { server: S3rver; directory: string } | undefined;
  if (options.s3) {
    const directory = await mkdtemp(join(tmpdir(), 'trellis-example-s3-'));
    const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true });
    const address = (await server.run()) as { port: number };
    s3 = { server, directory };
    settings.endpoints = { ...settings.endpoints, s3: `http://127.0.0.1:${address.port}` };
    // What s3rver needs; keep the SDK defaults against AWS itself.
    settings.s3 = {
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
  }
  const provider = createAwsProvider(settings);
  return {
    mode: 'fake',
    region,
    provider,
    bucket: 'trellis-example-backups',
    async close() {
      await provider.close();
      await fake.close();
      if (s3) {
        await s3.server.close();
        await rm(s3.directory, { recursive: true, force: true });
      }
    },
  };
}

/** Prints one step of an example. */
export function step(text: string): void {
  console.log(`\n▸ ${text}`);
}

/** Prints a detail under a step. */
export function detail(text: string): void {
  console.log(`  ${text}`);
}
