import type {
  InfrastructureProvider,
  MachineProvider,
  ProviderDefinition,
  TrellisProvider,
} from '@trellis/core';
import { lazyBackupStore, lazyInfrastructureProvider, lazyMachineProvider } from '@trellis/provider-kit';
import { type AlicloudBackupConfig, alicloudBackupConfig } from './alicloud-backup-config.js';
import {
  type AlicloudInfrastructureConfig,
  alicloudInfrastructureConfigSchema,
} from './alicloud-infrastructure-config.js';
import type { AlicloudInfrastructureTiming } from './alicloud-infrastructure-context.js';
import type { AlicloudInfrastructureStatus } from './alicloud-infrastructure-status.js';
import { checkAlicloudInfrastructureConfigUpdate } from './alicloud-infrastructure-update.js';
import {
  type AlicloudMachineClass,
  alicloudMachineClass,
  validateAlicloudMachineSpec,
} from './alicloud-machine-class.js';
import {
  type AlicloudProviderContext,
  type AlicloudProviderSettings,
  createAlicloudProviderContext,
} from './alicloud-settings.js';
import type { OssClient } from './oss-backup-store.js';
import { ensureOssBucket, type OssBucketClient } from './oss-ensure-bucket.js';

/** The ECS machine provider of a context; `@alicloud/ecs20140526` loads on its first call. */
export function createAlicloudMachineProvider(
  context: AlicloudProviderContext,
): MachineProvider<AlicloudMachineClass> {
  return lazyMachineProvider({
    provider: 'alicloud',
    validateSpec: (spec) => validateAlicloudMachineSpec(spec, context.region),
    load: async () => (await import('./alicloud-machine-provider.js')).createAlicloudMachineProvider(context),
  });
}

/**
 * The ECS machine provider of a region alone (settings are checked here, credentials read on first
 * use). The same as `createAlicloudProvider(settings).machines`.
 */
export function createAlicloudMachines(
  settings: AlicloudProviderSettings,
): MachineProvider<AlicloudMachineClass> {
  return createAlicloudMachineProvider(createAlicloudProviderContext(settings));
}

/**
 * The infrastructure provider of a context (Gardener's Alicloud Infrastructure actuator); the VPC
 * and ECS SDKs load on the first reconcile or delete. `timing` shrinks polls and retries in tests.
 */
export function createAlicloudInfrastructureProvider(
  context: AlicloudProviderContext,
  timing?: Partial<AlicloudInfrastructureTiming>,
): InfrastructureProvider<AlicloudInfrastructureConfig, AlicloudInfrastructureStatus> {
  return lazyInfrastructureProvider<AlicloudInfrastructureConfig, AlicloudInfrastructureStatus>({
    provider: 'alicloud',
    validateConfig: (config) => alicloudInfrastructureConfigSchema.parse(config),
    load: async () =>
      (await import('./alicloud-infrastructure-provider.js')).createAlicloudInfrastructureProvider(
        context,
        timing,
      ),
  });
}

/** The Alibaba Cloud provider: ECS machines, VPC infrastructure with an Enhanced NAT gateway, OSS backups. */
export interface AlicloudProvider
  extends TrellisProvider<
    AlicloudMachineClass,
    AlicloudInfrastructureConfig,
    AlicloudInfrastructureStatus,
    AlicloudBackupConfig
  > {
  readonly context: AlicloudProviderContext;
}

/**
 * Creates the Alibaba Cloud provider. Credentials: `settings.credentials`, else
 * `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (/ `ALIBABA_CLOUD_SECURITY_TOKEN`)
 * on first use. Nothing is loaded or called before a method is: the SDK of each service loads on
 * its first use.
 */
export function createAlicloudProvider(settings: AlicloudProviderSettings): AlicloudProvider {
  const context = createAlicloudProviderContext(settings);
  return {
    specificationVersion: 'v1',
    provider: 'alicloud',
    defaultRegion: context.region,
    context,
    machines: createAlicloudMachineProvider(context),
    infrastructure: createAlicloudInfrastructureProvider(context, {
      pollIntervalMs: context.settings.statusPollMs,
    }),
    backupStore(config: AlicloudBackupConfig) {
      const parsed = alicloudBackupConfig.parse(config);
      return lazyBackupStore({
        provider: 'alicloud',
        load: async () => {
          const { createOssBackupStore } = await import('./oss-backup-store.js');
          const client = await ossClientOf(context, parsed.bucket);
          return createOssBackupStore({ client, logger: context.logger, ...parsed });
        },
      });
    },
    schemas: {
      machineClass: alicloudMachineClass,
      infrastructureConfig: alicloudInfrastructureConfigSchema,
      backupConfig: alicloudBackupConfig,
    },
  };
}

/**
 * The `ali-oss` client of `bucket`: the settings' prebuilt one as it is (its bucket must be this
 * one), else one built from the provider's credentials and endpoint (`ali-oss` loads here).
 */
async function ossClientOf(context: AlicloudProviderContext, bucket: string): Promise<OssClient> {
  return (
    (context.settings.clients?.oss as OssClient | undefined) ??
    (await import('./oss-client.js')).ossClient(context.clients.options, bucket)
  );
}

/** Lets tools load the provider by type name (`trellis --provider alicloud`). */
export const providerDefinition: ProviderDefinition = {
  type: 'alicloud',
  create: (settings = {}) =>
    createAlicloudProvider(settings as AlicloudProviderSettings) as unknown as TrellisProvider,
  schemas: {
    machineClass: alicloudMachineClass,
    infrastructureConfig: alicloudInfrastructureConfigSchema,
    backupConfig: alicloudBackupConfig,
  } as unknown as TrellisProvider['schemas'],
  checkInfrastructureConfigUpdate: (previous, next) =>
    checkAlicloudInfrastructureConfigUpdate(
      previous as AlicloudInfrastructureConfig,
      next as AlicloudInfrastructureConfig,
    ),
};

/**
 * Makes the backup bucket ready with the provider's credentials and OSS endpoint (or its prebuilt
 * OSS client): created private when missing, AES256 encryption, a lifecycle rule aborting multipart
 * uploads left for 7 days (see `ensureOssBucket`). `ali-oss` loads here, not with the package.
 */
export async function ensureAlicloudBackupBucket(
  context: AlicloudProviderContext,
  bucket: string,
): Promise<{ created: boolean }> {
  return ensureOssBucket((await ossClientOf(context, bucket)) as unknown as OssBucketClient, bucket);
}
