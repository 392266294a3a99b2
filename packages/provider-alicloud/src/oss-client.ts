import OSS from 'ali-oss';
import type { AlicloudClientOptions } from './alicloud-settings.js';
import type { OssClient } from './oss-backup-store.js';

/**
 * An `ali-oss` client of the provider's region for `bucket` (loads `ali-oss`): the AccessKey pair
 * (and STS token), the endpoint override when set (an IP endpoint, such as a local fake, is
 * addressed path-style by ali-oss), HTTPS unless the endpoint says `http://`, and the read timeout.
 */
export function ossClient(options: AlicloudClientOptions, bucket: string): OssClient {
  const credentials = options.credentials();
  const { oss } = options.endpoints;
  const scheme = oss.protocol === 'HTTP' ? 'http' : 'https';
  return new OSS({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { stsToken: credentials.securityToken } : {}),
    region: `oss-${options.region}`,
    endpoint: `${scheme}://${oss.host}`,
    secure: scheme === 'https',
    bucket,
    timeout: options.readTimeoutMs,
  }) as unknown as OssClient;
}
