import type { MachineProvider } from '@trellis/core';
import { lazyMachineProvider } from '@trellis/provider-kit';
import { type AlicloudMachineClass, validateAlicloudMachineSpec } from './alicloud-machine-class.js';
import { type AlicloudProviderSettings, createAlicloudProviderContext } from './alicloud-settings.js';

/**
 * The ECS machine provider of a region (`@alicloud/ecs20140526` loads on the first call; settings are
 * checked here, credentials read on first use). The infrastructure provider and the OSS backup
 * store follow; then this becomes `createAlicloudProvider` and registers as `alicloud`.
 */
export function createAlicloudMachines(
  settings: AlicloudProviderSettings,
): MachineProvider<AlicloudMachineClass> {
  const context = createAlicloudProviderContext(settings);
  return lazyMachineProvider({
    provider: 'alicloud',
    validateSpec: (spec) => validateAlicloudMachineSpec(spec, context.region),
    load: async () => (await import('./alicloud-machine-provider.js')).createAlicloudMachineProvider(context),
  });
}
