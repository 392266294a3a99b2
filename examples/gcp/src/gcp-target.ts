// Where the examples run: the offline GCE/IAM and GCS fakes (default), or real Google Cloud.
import { createGcpProvider, type GcpProvider, type GcpProviderSettings } from '@trellis/provider-gcp';
import { startGceFake, startGcsFake } from '@trellis/provider-gcp/testing';

/** The provider the examples use and what to stop afterwards. */
export interface GcpTarget {
  /** `fake` (offline) or `gcp` (real Google Cloud, with Application Default Credentials). */
  readonly mode: 'fake' | 'gcp';
  readonly project: string;
  readonly region: string;
  readonly provider: GcpProvider;
  /** The bucket for backups: made in the GCS fake offline, `TRELLIS_GCP_BUCKET` on GCP. */
  readonly bucket: string;
  close(): Promise<void>;
}

/** True when the examples should use real Google Cloud. */
export const live = process.env.TRELLIS_GCP_LIVE === '1';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} to run this example against Google Cloud (TRELLIS_GCP_LIVE=1)`);
  return value;
}

/** Opens the target: real GCP when `TRELLIS_GCP_LIVE=1`, else the offline fakes on 127.0.0.1. */
export async function openTarget(options: { storage?: boolean } = {}): Promise<GcpTarget> {
  if (live) {
    const project = required('GOOGLE_CLOUD_PROJECT');
    const region = process.env.TRELLIS_GCP_REGION ?? 'europe-west1';
    const provider = createGcpProvider({ project, region });
    return {
      mode: 'gcp',
      project,
      region,
      provider,
      bucket: options.storage ? required('TRELLIS_GCP_BUCKET') : '',
      close: () => provider.close(),
    };
  }
  const project = 'trellis-example';
  const region = 'europe-west1';
  // Compute Engine and IAM share one port; GCS is its own fake.
  const compute = await startGceFake();
  const storage = options.storage ? await startGcsFake() : undefined;
  const settings: GcpProviderSettings = {
    project,
    region,
    credentials: 'none',
    endpoints: { compute: compute.url, iam: compute.url, ...(storage ? { storage: storage.url } : {}) },
    operationPollMs: 10,
  };
  const provider = createGcpProvider(settings);
  return {
    mode: 'fake',
    project,
    region,
    provider,
    bucket: 'trellis-example-backups',
    async close() {
      await provider.close();
      await compute.close();
      await storage?.close();
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
