import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { type Logger, parseWithSchema, silentLogger, z } from '@trellis/core';
import { ClientRegistry } from '@trellis/provider-kit';
import { type AwsApi, createAwsApi } from './aws-api.js';
import type { AwsRateLimits } from './aws-rate-limits.js';

const tokenBucketSchema = z.strictObject({
  capacity: z.number().positive(),
  refillPerSecond: z.number().positive(),
});

/** Static credentials; never logged and never put in errors. */
export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A function the SDK calls for credentials (e.g. from `@aws-sdk/credential-providers`). */
export type AwsCredentialsProvider = () => Promise<AwsStaticCredentials & { expiration?: Date }>;

const staticCredentialsSchema = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().optional(),
});

const isClient = (value: unknown) =>
  typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function';

const endpointSchema = z.url({ protocol: /^https?$/ });

/**
 * The zod schema of {@link AwsProviderSettings}. Prebuilt clients, loggers and credential
 * providers are accepted as they are.
 */
export const awsProviderSettingsSchema = z.strictObject({
  /** AWS region, e.g. `eu-west-1`. */
  region: z.string().min(1, 'is required'),
  /**
   * Credentials. @default the SDK's standard credential chain (environment, shared config files,
   * SSO, web identity, container and instance metadata), resolved on first use.
   */
  credentials: z
    .union([
      staticCredentialsSchema,
      z.custom<AwsCredentialsProvider>((value) => typeof value === 'function'),
    ])
    .optional(),
  /** One endpoint for EC2, IAM and S3 (an offline fake, a proxy). */
  endpoint: endpointSchema.optional(),
  /** Per-service endpoints; they win over `endpoint`. */
  endpoints: z
    .strictObject({
      ec2: endpointSchema.optional(),
      iam: endpointSchema.optional(),
      s3: endpointSchema.optional(),
    })
    .optional(),
  /** Prebuilt SDK clients, used as they are (the seam for tests). */
  clients: z
    .strictObject({
      ec2: z.custom<EC2Client>(isClient).optional(),
      iam: z.custom<IAMClient>(isClient).optional(),
      s3: z.custom<S3Client>(isClient).optional(),
    })
    .optional(),
  /** Where the provider logs. @default silent */
  logger: z
    .custom<Logger>(
      (value) => typeof value === 'object' && value !== null && 'debug' in value && 'warn' in value,
    )
    .optional(),
  /** Overrides of the client-side token buckets (EC2's documented defaults otherwise). */
  rateLimits: z
    .strictObject({
      describe: tokenBucketSchema.optional(),
      mutating: tokenBucketSchema.optional(),
      runInstances: tokenBucketSchema.optional(),
      terminateInstances: tokenBucketSchema.optional(),
      iam: tokenBucketSchema.optional(),
    })
    .optional(),
  /** Attempts per AWS call, the first included, for throttling and transient failures. @default 8 */
  maxAttempts: z.number().int().min(1).max(20).default(8),
  /** `MaxResults` of `DescribeInstances` pages (5–1000). @default 1000 */
  listPageSize: z.number().int().min(5).max(1000).default(1000),
  /** How long `getMachine` calls wait to be merged into one `DescribeInstances`. @default 10 */
  batchWindowMs: z.number().int().min(0).max(1000).default(10),
  /** Most instance ids in one merged `DescribeInstances`. @default 1000 */
  batchMaxIds: z.number().int().min(1).max(1000).default(1000),
  /** Options for S3-compatible servers. Keep the SDK defaults for AWS itself. */
  s3: z
    .strictObject({
      /** Path-style bucket addressing (`http://host/bucket/key`). */
      forcePathStyle: z.boolean().optional(),
      /** @default the SDK's (`WHEN_SUPPORTED`) */
      requestChecksumCalculation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
      /** @default the SDK's (`WHEN_SUPPORTED`) */
      responseChecksumValidation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
    })
    .optional(),
});

/** Settings of `createAwsProvider`, as written by a user. */
export type AwsProviderSettings = z.input<typeof awsProviderSettingsSchema>;
/** Settings with their defaults applied. */
export type ResolvedAwsProviderSettings = z.output<typeof awsProviderSettingsSchema>;

/** Validates settings; `InvalidArgument` listing every problem (never echoing credentials). */
export function resolveAwsProviderSettings(settings: AwsProviderSettings): ResolvedAwsProviderSettings {
  return parseWithSchema(awsProviderSettingsSchema, settings, {
    what: 'AWS provider settings',
    provider: 'aws',
  });
}

/** The AWS services the provider calls. */
export type AwsService = 'ec2' | 'iam' | 's3';

/** What a service's client is built from: the SDK client config, as plain data. */
export type AwsClientConfig = Record<string, unknown>;

/**
 * The SDK clients of one provider, created on first use (so no credentials are resolved at
 * import or construction, and no SDK package is loaded before a call needs it: each client is
 * built by the module that uses it, see `ec2-client.ts`). Prebuilt clients from the settings are
 * used as they are and are never destroyed by {@link AwsClients.destroy} (the kit's `ClientRegistry`).
 */
export class AwsClients {
  readonly region: string;
  readonly #settings: ResolvedAwsProviderSettings;
  readonly #registry: ClientRegistry<undefined>;

  constructor(settings: ResolvedAwsProviderSettings) {
    this.#settings = settings;
    this.region = settings.region;
    this.#registry = new ClientRegistry(undefined, settings.clients ?? {});
  }

  /**
   * The client config of a service. EC2 and IAM make one attempt per call (retries happen in the
   * provider's `AwsApi`), with socket timeouts so a hung connection fails (and is retried) instead
   * of blocking a caller without a deadline, and enough sockets for the describe bucket's burst.
   * S3 retries itself (`maxAttempts`), as multipart uploads go through `lib-storage`.
   */
  config(service: AwsService): AwsClientConfig {
    const endpoint = this.#settings.endpoints?.[service] ?? this.#settings.endpoint;
    const common = {
      region: this.region,
      ...(this.#settings.credentials ? { credentials: this.#settings.credentials } : {}),
      ...(endpoint ? { endpoint } : {}),
    };
    if (service !== 's3') {
      return {
        ...common,
        maxAttempts: 1,
        requestHandler: {
          requestTimeout: 30_000,
          connectionTimeout: 10_000,
          httpAgent: { keepAlive: true, maxSockets: 128 },
          httpsAgent: { keepAlive: true, maxSockets: 128 },
        },
      };
    }
    const s3 = this.#settings.s3 ?? {};
    return {
      ...common,
      maxAttempts: this.#settings.maxAttempts,
      ...(s3.forcePathStyle === undefined ? {} : { forcePathStyle: s3.forcePathStyle }),
      ...(s3.requestChecksumCalculation ? { requestChecksumCalculation: s3.requestChecksumCalculation } : {}),
      ...(s3.responseChecksumValidation ? { responseChecksumValidation: s3.responseChecksumValidation } : {}),
    };
  }

  /** The client of a service: the prebuilt one, or one `create` builds from {@link AwsClients.config} once. */
  client<Client>(service: AwsService, create: (config: AwsClientConfig) => Client): Client {
    return this.#registry.client(service, () => create(this.config(service)));
  }

  /** Closes the sockets of the clients this holder created (SDK v3 clients destroy synchronously). */
  destroy(): void {
    void this.#registry.close();
  }
}

/** What every part of the AWS provider shares: settings, clients, the rate-limited API, the logger. */
export interface AwsProviderContext {
  readonly provider: 'aws';
  readonly settings: ResolvedAwsProviderSettings;
  readonly region: string;
  readonly clients: AwsClients;
  /** Rate limiting, retries and error mapping for every EC2 / IAM call. */
  readonly api: AwsApi;
  readonly logger: Logger;
}

/** Builds the shared context from settings (validated here). */
export function createAwsProviderContext(settings: AwsProviderSettings): AwsProviderContext {
  const resolved = resolveAwsProviderSettings(settings);
  const logger = resolved.logger ?? silentLogger;
  return {
    provider: 'aws',
    settings: resolved,
    region: resolved.region,
    clients: new AwsClients(resolved),
    api: createAwsApi({
      rateLimits: resolved.rateLimits as Partial<AwsRateLimits> | undefined,
      maxAttempts: resolved.maxAttempts,
      logger,
    }),
    logger,
  };
}
