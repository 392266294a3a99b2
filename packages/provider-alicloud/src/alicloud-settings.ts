import { type Logger, parseWithSchema, silentLogger, TrellisError, z } from '@trellis/core';
import {
  ClientRegistry,
  type Clock,
  CloudApi,
  RateLimiter,
  type TokenBucketLimit,
} from '@trellis/provider-kit';
import { toTrellisError } from './alicloud-errors.js';

const client = (what: string) =>
  z.custom<object>((value) => typeof value === 'object' && value !== null, `must be an ${what}`).optional();

/**
 * Calls per minute per action the provider allows itself. Alibaba Cloud publishes its limits only
 * in each account's quota center ("API Rate Limits"), so these are conservative guesses: set the
 * account's own numbers in `rateLimitsPerMinute`. A throttled action is not called again before
 * the next minute's tokens.
 */
export const ALICLOUD_DEFAULT_RATE_LIMITS_PER_MINUTE: Readonly<Record<string, number>> = Object.freeze({
  DescribeInstances: 600,
  RunInstances: 300,
  DeleteInstance: 300,
  other: 600,
});

/** The zod schema of {@link AlicloudProviderSettings}. */
export const alicloudProviderSettingsSchema = z.strictObject({
  /** Region id, e.g. `eu-central-1`. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z0-9]+)+$/, 'must be an Alibaba Cloud region id such as eu-central-1'),
  /**
   * An AccessKey pair (and an STS token). Never logged, never put in errors.
   * @default `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (/ `ALIBABA_CLOUD_SECURITY_TOKEN`), read on first use
   */
  credentials: z
    .strictObject({
      accessKeyId: z.string().min(1, 'is required'),
      accessKeySecret: z.string().min(1, 'is required'),
      securityToken: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Endpoint overrides: `http://127.0.0.1:PORT` (an offline fake) or a host such as
   * `ecs.eu-central-1.aliyuncs.com`. For OSS a URL or host (`oss-eu-central-1.aliyuncs.com`).
   * @default `ecs.<region>.aliyuncs.com`, `vpc.<region>.aliyuncs.com`, `oss-<region>.aliyuncs.com`
   */
  endpoints: z
    .strictObject({
      ecs: z.string().min(1).optional(),
      vpc: z.string().min(1).optional(),
      oss: z.string().min(1).optional(),
    })
    .optional(),
  /** Prebuilt SDK clients, used as they are (never closed by the provider). */
  clients: z
    .strictObject({
      ecs: client('@alicloud/ecs20140526 client'),
      vpc: client('@alicloud/vpc20160428 client'),
      oss: client('ali-oss client'),
    })
    .optional(),
  logger: z
    .custom<Logger>((value) => typeof value === 'object' && value !== null && 'debug' in value)
    .optional(),
  /**
   * The time of the rate limits and the retry waits: a scaled clock lets a test or a benchmark run
   * a per-minute limit in a second. @default the system clock
   */
  clock: z
    .custom<Clock>(
      (value) => typeof value === 'object' && value !== null && 'now' in value && 'sleep' in value,
    )
    .optional(),
  /** Calls per minute per action (`RunInstances: 100`), over {@link ALICLOUD_DEFAULT_RATE_LIMITS_PER_MINUTE}. */
  rateLimitsPerMinute: z.record(z.string(), z.number().int().positive()).optional(),
  /** Attempts per call, the first included (the SDK itself retries nothing). @default 8 */
  maxAttempts: z.number().int().min(1).max(20).default(8),
  /** `MaxResults` of DescribeInstances pages (10..100, the API's bounds). @default 100 */
  listPageSize: z.number().int().min(10).max(100).default(100),
  /** How long concurrent `getMachine` calls wait to be merged into one DescribeInstances. @default 10 */
  batchWindowMs: z.number().int().min(0).max(1000).default(10),
  /** First interval between polls of a resource's status (`Pending → Available`); polls back off to 10 s. @default 2000 */
  statusPollMs: z.number().int().min(1).max(60_000).default(2_000),
  /** The SDK's connect timeout (its default of 3 s is short for a busy region). @default 5000 */
  connectTimeoutMs: z.number().int().min(1).default(5000),
  /** The SDK's read timeout. @default 20000 */
  readTimeoutMs: z.number().int().min(1).default(20_000),
});

/** Settings of the Alibaba Cloud provider, as written by a user. */
export type AlicloudProviderSettings = z.input<typeof alicloudProviderSettingsSchema>;
/** Settings with their defaults applied. */
export type ResolvedAlicloudProviderSettings = z.output<typeof alicloudProviderSettingsSchema>;

/** Where one API is: a host (with port) and whether to speak TLS to it. */
export interface AlicloudEndpoint {
  readonly host: string;
  /** `HTTP` for a plain `http://` endpoint (a fake), else `HTTPS`. */
  readonly protocol: 'HTTP' | 'HTTPS';
}

/** What the SDK clients are built from (no SDK loaded here). */
export interface AlicloudClientOptions {
  readonly region: string;
  readonly endpoints: {
    readonly ecs: AlicloudEndpoint;
    readonly vpc: AlicloudEndpoint;
    readonly oss: AlicloudEndpoint;
  };
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** The AccessKey pair, read from the settings or the environment when a client is built. */
  credentials(): { accessKeyId: string; accessKeySecret: string; securityToken?: string };
}

/** SDK clients of one provider, built on first use; prebuilt ones win. */
export class AlicloudClients extends ClientRegistry<AlicloudClientOptions> {}

/** What every part of the Alibaba Cloud provider shares. */
export interface AlicloudProviderContext {
  readonly provider: 'alicloud';
  readonly settings: ResolvedAlicloudProviderSettings;
  readonly region: string;
  readonly clients: AlicloudClients;
  readonly api: CloudApi<string>;
  readonly logger: Logger;
}

function endpointOf(value: string | undefined, fallback: string): AlicloudEndpoint {
  if (!value) return { host: fallback, protocol: 'HTTPS' };
  if (/^https?:\/\//.test(value)) {
    const url = new URL(value);
    return { host: url.host, protocol: url.protocol === 'http:' ? 'HTTP' : 'HTTPS' };
  }
  return { host: value, protocol: 'HTTPS' };
}

/** The per-minute limits as token buckets: a minute's calls at once, refilled over the minute. */
export function alicloudRateLimiter(
  overrides: Readonly<Record<string, number>> = {},
  clock?: Clock,
): RateLimiter<string> {
  const perMinute = { ...ALICLOUD_DEFAULT_RATE_LIMITS_PER_MINUTE, ...overrides };
  const defaults: Record<string, TokenBucketLimit> = Object.fromEntries(
    Object.entries(perMinute).map(([action, calls]) => [
      action,
      { capacity: calls, refillPerSecond: calls / 60 },
    ]),
  );
  return new RateLimiter<string>({
    ...(clock ? { clock } : {}),
    defaults,
    classify: (action) => [{ bucket: action in defaults ? action : 'other', tokens: 1 }],
  });
}

/** Builds the shared context from settings (validated here; credentials are read on first use). */
export function createAlicloudProviderContext(settings: AlicloudProviderSettings): AlicloudProviderContext {
  const resolved = parseWithSchema(alicloudProviderSettingsSchema, settings, {
    what: 'Alibaba Cloud provider settings',
    provider: 'alicloud',
  });
  const logger = resolved.logger ?? silentLogger;
  const options: AlicloudClientOptions = {
    region: resolved.region,
    endpoints: {
      ecs: endpointOf(resolved.endpoints?.ecs, `ecs.${resolved.region}.aliyuncs.com`),
      vpc: endpointOf(resolved.endpoints?.vpc, `vpc.${resolved.region}.aliyuncs.com`),
      oss: endpointOf(resolved.endpoints?.oss, `oss-${resolved.region}.aliyuncs.com`),
    },
    connectTimeoutMs: resolved.connectTimeoutMs,
    readTimeoutMs: resolved.readTimeoutMs,
    credentials: () => {
      if (resolved.credentials) return resolved.credentials;
      const accessKeyId = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
      const accessKeySecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
      const securityToken = process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
      if (!accessKeyId || !accessKeySecret)
        throw new TrellisError({
          code: 'Unauthenticated',
          provider: 'alicloud',
          message:
            'no Alibaba Cloud credentials: pass settings.credentials or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        });
      return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
    },
  };
  return {
    provider: 'alicloud',
    settings: resolved,
    region: resolved.region,
    clients: new AlicloudClients(options, resolved.clients ?? {}),
    api: new CloudApi<string>({
      provider: 'alicloud',
      limiter: alicloudRateLimiter(resolved.rateLimitsPerMinute, resolved.clock),
      ...(resolved.clock ? { clock: resolved.clock } : {}),
      toError: toTrellisError,
      maxAttempts: resolved.maxAttempts,
      logger,
    }),
    logger,
  };
}
