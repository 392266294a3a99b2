/**
 * `@trellis/provider-azure/testing`: an offline Azure Resource Manager fake speaking ARM's REST on
 * HTTPS 127.0.0.1, for tests of the provider and of your own code.
 *
 * ```ts
 * const fake = await startArmFake();
 * fake.createResourceGroup(subscriptionId, 'shoot--dev', 'westeurope');
 * const azure = createAzureProvider({ subscriptionId, location: 'westeurope', credentials: { token: 'fake' },
 *   endpoints: { resourceManager: fake.url }, tlsCa: fake.ca });
 * ```
 *
 * @packageDocumentation
 */
export { ArmFakeError } from './arm-errors.js';
export { fakeDefinition } from './arm-fake-definition.js';
export { type ArmFake, type ArmFakeOptions, startArmFake } from './arm-fake-server.js';
export type { ArmOperationError, ArmResource } from './arm-fake-state.js';
export { AZURITE_ACCOUNT, type Azurite, type AzuriteOptions, startAzurite } from './azurite.js';
