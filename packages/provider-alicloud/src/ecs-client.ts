import EcsModule from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { AlicloudClients } from './alicloud-settings.js';

/** An ECS SDK client. */
export type EcsClient = InstanceType<typeof EcsModule.default>;
/**
 * The ECS SDK client class. A CommonJS module: Node's default import is its exports (the class under
 * `default`); vitest's interop hands the class itself.
 */
export const Ecs: typeof EcsModule.default =
  (EcsModule as { default?: typeof EcsModule.default }).default ??
  (EcsModule as unknown as typeof EcsModule.default);

/**
 * The provider's ECS client (loads `@alicloud/ecs20140526`: import this only where ECS is called),
 * with explicit connect and read timeouts and no SDK retries (the kit retries).
 */
export function ecsClient(clients: AlicloudClients): EcsClient {
  return clients.client('ecs', (options) => {
    const credentials = options.credentials();
    return new Ecs(
      new $OpenApiUtil.Config({
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
        regionId: options.region,
        endpoint: options.ecsEndpoint,
        protocol: options.protocol,
        connectTimeout: options.connectTimeoutMs,
        readTimeout: options.readTimeoutMs,
      }),
    );
  });
}
