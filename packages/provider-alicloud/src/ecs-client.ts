import EcsModule from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { AlicloudClients } from './alicloud-settings.js';

/** The ECS SDK client class (a CommonJS module: its class is the `default` export of its exports). */
export type EcsClient = InstanceType<typeof EcsModule.default>;
const Ecs: typeof EcsModule.default =
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
