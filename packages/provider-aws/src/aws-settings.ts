import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { type Logger, parseWithSchema, silentLogger, z } from '@trellis/core';
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

/**
 * The SDK clients of one provider, created on first use (so no credentials are resolved at
 * import or construction). Prebuilt clients from the settings are used as they are and are
 * never destroyed by {@link AwsClients.destroy}.
 */
export class AwsClients {
  readonly region: string;
  readonly #settings: ResolvedAwsProviderSettings;
  #ec2: EC2Client | undefined;
  #iam: IAMClient | undefined;
  #s3: S3Client | undefined;
  readonly #owned: Array<{ destroy(): void }> = [];

  constructor(settings: ResolvedAwsProviderSettings) {
    this.#settings = settings;
    this.region = settings.region;
  }

  #common(service: 'ec2' | 'iam' | 's3') {
    const endpoint = this.#settings.endpoints?.[service] ?? this.#settings.endpoint;
    return {
      region: this.region,
      ...(this.#settings.credentials ? { credentials: this.#settings.credentials } : {}),
      ...(endpoint ? { endpoint } : {}),
    };
  }

  /**
   * Socket settings of the EC2 and IAM clients: a hung connection fails (and is retried by
   * {@link AwsApi}) instead of blocking a caller without a deadline; enough sockets for the
   * describe bucket's burst.
   */
  #requestHandler() {
    return {
      requestTimeout: 30_000,
      connectionTimeout: 10_000,
      httpAgent: { keepAlive: true, maxSockets: 128 },
      httpsAgent: { keepAlive: true, maxSockets: 128 },
    };
  }

  /** The EC2 client. Retries happen in {@link AwsApi}, so it makes one attempt per call. */
  get ec2(): EC2Client {
    if (!this.#ec2) {
      this.#ec2 =
        this.#settings.clients?.ec2 ??
        this.#own(
          new EC2Client({ ...this.#common('ec2'), maxAttempts: 1, requestHandler: this.#requestHandler() }),
        );
    }
    return this.#ec2;
  }

  /** The IAM client (global service; signed for the provider's region partition). */
  get iam(): IAMClient {
    if (!this.#iam) {
      this.#iam =
        this.#settings.clients?.iam ??
        this.#own(
          new IAMClient({ ...this.#common('iam'), maxAttempts: 1, requestHandler: this.#requestHandler() }),
        );
    }
    return this.#iam;
  }

  /** The S3 client; it retries itself (`maxAttempts`), as multipart uploads go through `lib-storage`. */
  get s3(): S3Client {
    if (!this.#s3) {
      const s3 = this.#settings.s3 ?? {};
      this.#s3 =
        this.#settings.clients?.s3 ??
        this.#own(
          new S3Client({
            ...this.#common('s3'),
            maxAttempts: this.#settings.maxAttempts,
            ...(s3.forcePathStyle === undefined ? {} : { forcePathStyle: s3.forcePathStyle }),
            ...(s3.requestChecksumCalculation
              ? { requestChecksumCalculation: s3.requestChecksumCalculation }
              : {}),
            ...(s3.responseChecksumValidation
              ? { responseChecksumValidation: s3.responseChecksumValidation }
              : {}),
          }),
        );
    }
    return this.#s3;
  }

  #own<Client extends { destroy(): void }>(client: Client): Client {
    this.#owned.push(client);
    return client;
  }

  /** Closes the sockets of the clients this holder created. */
  destroy(): void {
    for (const client of this.#owned.splice(0)) client.destroy();
    this.#ec2 = this.#settings.clients?.ec2;
    this.#iam = this.#settings.clients?.iam;
    this.#s3 = this.#settings.clients?.s3;
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
