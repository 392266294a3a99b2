import EcsModule from '@alicloud/ecs20140526';
import type { AlicloudClients } from './alicloud-settings.js';
import { teaConfig } from './tea-config.js';

/** An ECS SDK client. */
export type EcsClient = InstanceType<typeof EcsModule.default>;
/**
 * The ECS SDK client class. A CommonJS module: Node's default import is its exports (the class under
 * `default`); vitest's interop hands the class itself.
 */
export const Ecs: typeof EcsModule.default =
  (EcsModule as { default?: typeof EcsModule.default }).default ??
  (EcsModule as unknown as typeof EcsModule.default);

/** The provider's ECS client (loads `@alicloud/ecs20140526`: import this only where ECS is called). */
export function ecsClient(clients: AlicloudClients): EcsClient {
  return clients.client('ecs', (options) => new Ecs(teaConfig(options, options.endpoints.ecs)));
}
