// Where the examples run: the offline ECS/VPC and OSS fakes (default), or real Alibaba Cloud.
import {
  type AlicloudProvider,
  type AlicloudProviderSettings,
  createAlicloudProvider,
} from '@trellis/provider-alicloud';
import { fakeDefinition } from '@trellis/provider-alicloud/testing';

/** The provider the examples use and what to stop afterwards. */
export interface AlicloudTarget {
  /** `fake` (offline) or `alicloud` (real Alibaba Cloud, with the AccessKey from the environment). */
  readonly mode: 'fake' | 'alicloud';
  readonly region: string;
  readonly provider: AlicloudProvider;
  /** The bucket for backups: made in the OSS fake offline, `TRELLIS_ALICLOUD_BUCKET` on Alibaba Cloud. */
  readonly bucket: string;
  close(): Promise<void>;
}

/** True when the examples should use real Alibaba Cloud. */
export const live = process.env.TRELLIS_ALICLOUD_LIVE === '1';

/** A setting the live run cannot do without. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`set ${name} to run this example against Alibaba Cloud (TRELLIS_ALICLOUD_LIVE=1)`);
  return value;
}

/**
 * Opens the target: real Alibaba Cloud when `TRELLIS_ALICLOUD_LIVE=1` (credentials from
 * `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET`), else the offline fakes on 127.0.0.1, started the way
 * `trellis fake alicloud` starts them.
 */
export async function openTarget(): Promise<AlicloudTarget> {
  if (live) {
    const region = process.env.TRELLIS_ALICLOUD_REGION ?? 'eu-central-1';
    return {
      mode: 'alicloud',
      region,
      provider: createAlicloudProvider({ region }),
      bucket: process.env.TRELLIS_ALICLOUD_BUCKET ?? '',
      close: async () => {},
    };
  }
  const fakes = await fakeDefinition.start();
  const settings = fakes.providerSettings as AlicloudProviderSettings;
  return {
    mode: 'fake',
    region: settings.region,
    provider: createAlicloudProvider(settings),
    bucket: 'trellis-example-backups',
    close: () => fakes.close(),
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
