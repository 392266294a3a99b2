import type { ProviderDefinition, TrellisProvider } from '@trellis/core';
import { type AwsBackupConfig, awsBackupConfig } from './aws-backup-config.js';
import {
  createAwsInfrastructureProvider,
  createAwsMachineProvider,
  createS3BackupStore,
} from './aws-entry-points.js';
import type { AwsInfrastructureConfig } from './aws-infrastructure-config.js';
import {
  awsInfrastructureConfigSchema,
  checkAwsInfrastructureConfigUpdate,
} from './aws-infrastructure-config.js';
import type { AwsInfrastructureStatus } from './aws-infrastructure-status.js';
import { type AwsMachineClass, awsMachineClass } from './aws-machine-class.js';
import {
  type AwsProviderContext,
  type AwsProviderSettings,
  createAwsProviderContext,
} from './aws-settings.js';

/** The schemas of the config users write for AWS. */
const AWS_SCHEMAS = {
  machineClass: awsMachineClass,
  infrastructureConfig: awsInfrastructureConfigSchema,
  backupConfig: awsBackupConfig,
};

/** The AWS provider: EC2 machines, VPC infrastructure and S3 backup stores. */
export interface AwsProvider
  extends TrellisProvider<
    AwsMachineClass,
    AwsInfrastructureConfig,
    AwsInfrastructureStatus,
    AwsBackupConfig
  > {
  /** The shared settings, clients and rate-limited API (for advanced use and tests). */
  readonly context: AwsProviderContext;
  close(): Promise<void>;
}

/**
 * Creates the AWS provider. Credentials come from `settings.credentials` or, on first use, from the
 * SDK's standard chain; `settings.clients` / `settings.endpoint` point it at prebuilt clients or an
 * offline fake. Rejects invalid settings with `InvalidArgument`.
 */
export function createAwsProvider(settings: AwsProviderSettings): AwsProvider {
  const context = createAwsProviderContext(settings);
  return {
    specificationVersion: 'v1',
    provider: 'aws',
    context,
    machines: createAwsMachineProvider(context),
    infrastructure: createAwsInfrastructureProvider({
      clients: context.clients,
      api: context.api,
      logger: context.logger,
    }),
    backupStore(config: AwsBackupConfig) {
      const parsed = awsBackupConfig.parse(config);
      return createS3BackupStore({ ...parsed, client: context.clients, logger: context.logger });
    },
    schemas: AWS_SCHEMAS,
    async close() {
      context.clients.destroy();
    },
  };
}

/**
 * Lets tools load the provider by type name (`trellis --provider aws`). Plain settings from a config
 * file; `region` falls back to `AWS_REGION` / `AWS_DEFAULT_REGION`.
 */
export const providerDefinition: ProviderDefinition = {
  type: 'aws',
  schemas: AWS_SCHEMAS as unknown as TrellisProvider['schemas'],
  checkInfrastructureConfigUpdate: (previous, next) =>
    checkAwsInfrastructureConfigUpdate(previous as AwsInfrastructureConfig, next as AwsInfrastructureConfig),
  create(settings = {}) {
    const region = settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    return createAwsProvider({ ...settings, region } as AwsProviderSettings) as unknown as TrellisProvider;
  },
};
