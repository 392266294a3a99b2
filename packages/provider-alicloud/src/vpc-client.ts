import VpcModule from '@alicloud/vpc20160428';
import type { AlicloudClients } from './alicloud-settings.js';
import { teaConfig } from './tea-config.js';

/** A VPC SDK client. */
export type VpcClient = InstanceType<typeof VpcModule.default>;
/** The VPC SDK client class (CommonJS: the class is under `default` in Node, itself in vitest). */
export const Vpc: typeof VpcModule.default =
  (VpcModule as { default?: typeof VpcModule.default }).default ??
  (VpcModule as unknown as typeof VpcModule.default);

/** The provider's VPC client (loads `@alicloud/vpc20160428`: import this only where the VPC API is called). */
export function vpcClient(clients: AlicloudClients): VpcClient {
  return clients.client('vpc', (options) => new Vpc(teaConfig(options, options.endpoints.vpc)));
}
