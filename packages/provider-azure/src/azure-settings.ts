import type { ComputeManagementClient } from '@azure/arm-compute';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { TokenCredential } from '@azure/core-auth';
import { type Logger, parseWithSchema, silentLogger, z } from '@trellis/core';
import { ClientRegistry } from '@trellis/provider-kit';
import { type AzureApi, type AzureRateLimits, createAzureApi } from './azure-api.js';

const tokenBucketSchema = z.strictObject({
  capacity: z.number().positive(),
  refillPerSecond: z.number().positive(),
});
const isObject = (value: unknown) => typeof value === 'object' && value !== null;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The Azure clouds and their Resource Manager endpoints and Entra ID authority hosts. */
export const AZURE_CLOUDS = {
  AzurePublic: {
    resourceManager: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
  },
  AzureChina: {
    resourceManager: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
  },
  AzureGovernment: {
    resourceManager: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
  },
} as const;

/** The zod schema of {@link AzureProviderSettings}. */
export const azureProviderSettingsSchema = z.strictObject({
  /** The subscription the machines live in. */
  subscriptionId: z.string().regex(GUID, 'must be a subscription id (a GUID)'),
  /** The Entra ID tenant (required with a client secret). */
  tenantId: z.string().regex(GUID, 'must be a tenant id (a GUID)').optional(),
  /**
   * The resource group of a cluster's machines, which get, list and delete look in (their refs name
   * no group). @default the cluster's name, as Gardener names the group after the cluster's technical id
   */
  resourceGroup: z
    .string()
    .regex(/^[\w().-]{1,89}[\w()-]$/, 'must be a resource group name')
    .optional(),
  /** Region, e.g. `westeurope`. */
  location: z.string().regex(/^[a-z0-9]+$/, 'must be an Azure location name (lowercase, e.g. westeurope)'),
  /**
   * Credentials: a service principal's `{ clientId, clientSecret }` (with `tenantId`), a static
   * `{ token }` (tests, fakes), or any `TokenCredential` of `@azure/identity`.
   * @default DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI), on first use
   */
  credentials: z
    .union([
      z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) }),
      z.strictObject({ token: z.string().min(1) }),
      z.custom<TokenCredential>(
        (value) => typeof (value as { getToken?: unknown } | undefined)?.getToken === 'function',
        'must be { clientId, clientSecret }, { token } or a TokenCredential',
      ),
    ])
    .optional(),
  /** The Azure cloud. @default 'AzurePublic' */
  cloud: z.enum(['AzurePublic', 'AzureChina', 'AzureGovernment']).default('AzurePublic'),
  /** Endpoint overrides (an offline fake, a proxy). */
  endpoints: z
    .strictObject({
      resourceManager: z.url({ protocol: /^https$/ }).optional(),
    })
    .optional(),
  /**
   * Prebuilt SDK clients, used as they are (your own pipeline policies or proxy; a seam for tests).
   * Their own retries stay as you configured them.
   */
  clients: z
    .strictObject({
      compute: z.custom<ComputeManagementClient>(isObject, 'must be a ComputeManagementClient').optional(),
      network: z.custom<NetworkManagementClient>(isObject, 'must be a NetworkManagementClient').optional(),
      resources: z
        .custom<ResourceManagementClient>(isObject, 'must be a ResourceManagementClient')
        .optional(),
    })
    .optional(),
  /** A PEM CA certificate the clients trust besides the system's (a fake's self-signed one). */
  tlsCa: z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' }).optional(),
  /** Where the provider logs. @default silent */
  logger: z
    .custom<Logger>((value) => typeof value === 'object' && value !== null && 'debug' in value)
    .optional(),
  /** Overrides of the client-side token buckets (ARM's per-subscription reads, writes, deletes). */
  rateLimits: z
    .strictObject({
      read: tokenBucketSchema.optional(),
      write: tokenBucketSchema.optional(),
      delete: tokenBucketSchema.optional(),
    })
    .optional(),
  /** Attempts per call, the first included. @default 8 */
  maxAttempts: z.number().int().min(1).max(20).default(8),
  /** Interval between polls of a long-running operation (a `Retry-After` hint wins). @default 2000 */
  operationPollMs: z.number().int().min(1).max(60_000).default(2000),
  /** How long to wait for a long-running operation. @default 1800000 (30 min) */
  operationTimeoutMs: z.number().int().min(1).default(1_800_000),
});

/** Settings of `createAzureProvider`, as written by a user. */
export type AzureProviderSettings = z.input<typeof azureProviderSettingsSchema>;
/** Settings with their defaults applied. */
export type ResolvedAzureProviderSettings = z.output<typeof azureProviderSettingsSchema>;

/** Validates settings; `InvalidArgument` listing every problem (never echoing a secret). */
export function resolveAzureProviderSettings(settings: AzureProviderSettings): ResolvedAzureProviderSettings {
  const resolved = parseWithSchema(azureProviderSettingsSchema, settings, {
    what: 'Azure provider settings',
    provider: 'azure',
  });
  if (resolved.credentials && 'clientSecret' in resolved.credentials && !resolved.tenantId) {
    throw parseWithSchema(
      z.strictObject({ tenantId: z.string() }),
      {},
      { what: 'Azure provider settings', provider: 'azure' },
    );
  }
  return resolved;
}

/** What every part of the provider shares. */
export interface AzureProviderContext {
  readonly provider: 'azure';
  readonly settings: ResolvedAzureProviderSettings;
  readonly subscriptionId: string;
  readonly location: string;
  /** The resource group of a cluster's machines. */
  readonly resourceGroupOf: (cluster: string) => string;
  /** The Resource Manager endpoint the clients use. */
  readonly resourceManager: string;
  readonly api: AzureApi;
  readonly clients: AzureClients;
  readonly logger: Logger;
}

/**
 * The SDK clients of one provider, built on first use (the SDKs load only then); the settings'
 * prebuilt `compute`, `network` and `resources` clients win.
 */
export class AzureClients extends ClientRegistry<undefined> {
  constructor(prebuilt: ResolvedAzureProviderSettings['clients'] = {}) {
    super(undefined, prebuilt);
  }
}

/** Builds the shared context from settings (validated here). */
export function createAzureProviderContext(
  settings: AzureProviderSettings,
  rateLimits?: Partial<AzureRateLimits>,
): AzureProviderContext {
  const resolved = resolveAzureProviderSettings(settings);
  const logger = resolved.logger ?? silentLogger;
  return {
    provider: 'azure',
    settings: resolved,
    subscriptionId: resolved.subscriptionId,
    location: resolved.location,
    resourceGroupOf: (cluster) => resolved.resourceGroup ?? cluster,
    resourceManager: resolved.endpoints?.resourceManager ?? AZURE_CLOUDS[resolved.cloud].resourceManager,
    api: createAzureApi({
      rateLimits: { ...(resolved.rateLimits as Partial<AzureRateLimits> | undefined), ...rateLimits },
      maxAttempts: resolved.maxAttempts,
      logger,
    }),
    clients: new AzureClients(resolved.clients),
    logger,
  };
}
