import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { AlicloudClientOptions, AlicloudEndpoint } from './alicloud-settings.js';

/**
 * The config of a Tea SDK client (ECS, VPC): the credentials, the region, the endpoint without a
 * scheme, explicit connect and read timeouts (the SDK's 3 s default is short), no SDK retries (the
 * kit retries).
 */
export function teaConfig(options: AlicloudClientOptions, endpoint: AlicloudEndpoint): $OpenApiUtil.Config {
  const credentials = options.credentials();
  return new $OpenApiUtil.Config({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
    regionId: options.region,
    endpoint: endpoint.host,
    protocol: endpoint.protocol,
    connectTimeout: options.connectTimeoutMs,
    readTimeout: options.readTimeoutMs,
  });
}
