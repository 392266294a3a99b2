import type {
  AddressesClient,
  FirewallsClient,
  GlobalOperationsClient,
  InstancesClient,
  NetworksClient,
  RegionOperationsClient,
  RoutersClient,
  SubnetworksClient,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import type { Storage } from '@google-cloud/storage';
import { type Logger, parseWithSchema, silentLogger, z } from '@trellis/core';
import { ClientRegistry } from '@trellis/provider-kit';
import type { GcpApi } from './gcp-api.js';
import { createGcpApi, type GcpRateLimits } from './gcp-api.js';

const tokenBucketSchema = z.strictObject({
  capacity: z.number().positive(),
  refillPerSecond: z.number().positive(),
});
const endpointSchema = z.url({ protocol: /^https?$/ });
const client = <Client>(what: string) =>
  z.custom<Client>((value) => typeof value === 'object' && value !== null, `must be an ${what}`).optional();

/** A service account key (the JSON file Google issues). Never logged, never put in errors. */
const serviceAccountKeySchema = z.looseObject({
  type: z.literal('service_account'),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  project_id: z.string().optional(),
});

/** The zod schema of {@link GcpProviderSettings}. */
export const gcpProviderSettingsSchema = z.strictObject({
  /** The project the machines live in. */
  project: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'must be a GCP project id'),
  /** Region, e.g. `europe-west1`. */
  region: z.string().min(1, 'is required'),
  /**
   * Credentials: a service account key (the JSON object, or its text), `{ keyFile }` (a path), or
   * `'none'` for an emulator or fake. @default Application Default Credentials, resolved on first use
   */
  credentials: z
    .union([
      z.literal('none'),
      z.strictObject({ keyFile: z.string().min(1) }),
      serviceAccountKeySchema,
      z.string().transform((text, context) => {
        try {
          return serviceAccountKeySchema.parse(JSON.parse(text));
        } catch {
          context.addIssue({ code: 'custom', message: 'is not a service account key (JSON)' });
          return z.NEVER;
        }
      }),
    ])
    .optional(),
  /** Endpoint overrides (an offline fake, a proxy). */
  endpoints: z
    .strictObject({
      compute: endpointSchema.optional(),
      storage: endpointSchema.optional(),
      /** The IAM API (service accounts of the infrastructure provider). */
      iam: endpointSchema.optional(),
    })
    .optional(),
  /** Where the provider logs. @default silent */
  /**
   * Prebuilt SDK clients, used as they are and never closed by the provider (your own transport,
   * retries or credentials; a seam for tests). Each one missing is built from the settings.
   */
  clients: z
    .strictObject({
      instances: client<InstancesClient>('InstancesClient'),
      zoneOperations: client<ZoneOperationsClient>('ZoneOperationsClient'),
      regionOperations: client<RegionOperationsClient>('RegionOperationsClient'),
      globalOperations: client<GlobalOperationsClient>('GlobalOperationsClient'),
      networks: client<NetworksClient>('NetworksClient'),
      subnetworks: client<SubnetworksClient>('SubnetworksClient'),
      routers: client<RoutersClient>('RoutersClient'),
      firewalls: client<FirewallsClient>('FirewallsClient'),
      addresses: client<AddressesClient>('AddressesClient'),
      storage: client<Storage>('@google-cloud/storage Storage'),
    })
    .optional(),
  logger: z
    .custom<Logger>((value) => typeof value === 'object' && value !== null && 'debug' in value)
    .optional(),
  /** Overrides of the client-side token buckets. */
  rateLimits: z
    .strictObject({
      read: tokenBucketSchema.optional(),
      list: tokenBucketSchema.optional(),
      mutate: tokenBucketSchema.optional(),
    })
    .optional(),
  /** Attempts per call, the first included. @default 8 */
  maxAttempts: z.number().int().min(1).max(20).default(8),
  /** `maxResults` of list pages (1–500). @default 500 */
  listPageSize: z.number().int().min(1).max(500).default(500),
  /** How long concurrent `getMachine` calls wait to be merged into one list call. @default 10 */
  batchWindowMs: z.number().int().min(0).max(1000).default(10),
  /** Interval between polls of an operation. @default 1000 */
  operationPollMs: z.number().int().min(1).max(60_000).default(1000),
  /** How long to wait for an operation. @default 600000 (10 min) */
  operationTimeoutMs: z.number().int().min(1).default(600_000),
});

/** Settings of `createGcpProvider`, as written by a user. */
export type GcpProviderSettings = z.input<typeof gcpProviderSettingsSchema>;
/** Settings with their defaults applied. */
export type ResolvedGcpProviderSettings = z.output<typeof gcpProviderSettingsSchema>;

/** Validates settings; `InvalidArgument` listing every problem (never echoing a key). */
export function resolveGcpProviderSettings(settings: GcpProviderSettings): ResolvedGcpProviderSettings {
  return parseWithSchema(gcpProviderSettingsSchema, settings, {
    what: 'GCP provider settings',
    provider: 'gcp',
  });
}

/** The compute client options the SDK takes, built from the settings (no SDK loaded here). */
export interface GcpClientOptions {
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  readonly credentials?: { client_email: string; private_key: string };
  readonly keyFilename?: string;
  /** `'none'`: the client sends no token (an emulator or fake). */
  readonly anonymous: boolean;
  /** The storage JSON API endpoint, when overridden (`http://127.0.0.1:PORT`). */
  readonly storageEndpoint?: string;
  /** The IAM API root, when overridden (`http://127.0.0.1:PORT/`). */
  readonly iamEndpoint?: string;
  readonly projectId: string;
}

/** Client options for the compute API. */
export function computeClientOptions(settings: ResolvedGcpProviderSettings): GcpClientOptions {
  const credentials = settings.credentials;
  const keyFilename =
    credentials && typeof credentials === 'object' && 'keyFile' in credentials
      ? String(credentials.keyFile)
      : undefined;
  const endpoint = settings.endpoints?.compute ? new URL(settings.endpoints.compute) : undefined;
  return {
    projectId: settings.project,
    anonymous: credentials === 'none',
    ...(settings.endpoints?.storage
      ? { storageEndpoint: settings.endpoints.storage.replace(/\/+$/, '') }
      : {}),
    ...(settings.endpoints?.iam ? { iamEndpoint: `${settings.endpoints.iam.replace(/\/+$/, '')}/` } : {}),
    ...(endpoint
      ? {
          apiEndpoint: endpoint.hostname,
          port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)),
          protocol: endpoint.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
    ...(keyFilename ? { keyFilename } : {}),
    ...(credentials && typeof credentials === 'object' && 'private_key' in credentials
      ? { credentials: { client_email: credentials.client_email, private_key: credentials.private_key } }
      : {}),
  };
}

/**
 * SDK clients of one provider, built on first use by the modules that call them; the settings'
 * prebuilt clients win (and are never closed here).
 */
export class GcpClients extends ClientRegistry<GcpClientOptions> {}

/** What every part of the GCP provider shares. */
export interface GcpProviderContext {
  readonly provider: 'gcp';
  readonly settings: ResolvedGcpProviderSettings;
  readonly project: string;
  readonly region: string;
  readonly clients: GcpClients;
  readonly api: GcpApi;
  readonly logger: Logger;
}

/** Builds the shared context from settings (validated here). */
export function createGcpProviderContext(settings: GcpProviderSettings): GcpProviderContext {
  const resolved = resolveGcpProviderSettings(settings);
  const logger = resolved.logger ?? silentLogger;
  return {
    provider: 'gcp',
    settings: resolved,
    project: resolved.project,
    region: resolved.region,
    clients: new GcpClients(computeClientOptions(resolved), resolved.clients),
    api: createGcpApi({
      rateLimits: resolved.rateLimits as Partial<GcpRateLimits> | undefined,
      maxAttempts: resolved.maxAttempts,
      logger,
    }),
    logger,
  };
}
