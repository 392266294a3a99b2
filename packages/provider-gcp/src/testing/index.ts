/**
 * `@trellis/provider-gcp/testing`: an offline Compute Engine fake speaking the compute v1 REST/JSON
 * API on 127.0.0.1, for tests of the provider and of your own code.
 *
 * ```ts
 * const fake = await startGceFake();
 * const provider = createGcpProvider({ project: 'p1', region: 'europe-west1', endpoints: { compute: fake.url }, credentials: 'none' });
 * ```
 *
 * @packageDocumentation
 */
export { GceFakeError } from './gce-errors.js';
export { fakeDefinition, type GceFake, type GceFakeOptions, startGceFake } from './gce-fake-server.js';
export type { FakeInstance, FakeOperationError } from './gce-fake-state.js';
export { type GcsFake, startGcsFake } from './gcs-fake-server.js';
