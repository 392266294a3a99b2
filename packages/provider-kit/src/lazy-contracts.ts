import type {
  BackupStore,
  InfrastructureProvider,
  InfrastructureStatus,
  MachineProvider,
} from '@trellis/core';
import { TrellisError } from '@trellis/core';

/**
 * Loads something once, on first use: the promise is shared by concurrent callers and dropped
 * after a failure, so the next call tries again. A failed `import()` becomes an `Internal` error
 * that names what could not be loaded.
 */
export function lazily<T>(what: string, provider: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      if (TrellisError.isInstance(error)) throw error;
      throw new TrellisError({
        code: 'Internal',
        provider,
        message: `could not load the ${what}: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    });
    return loading;
  };
}

/**
 * A `MachineProvider` whose implementation (and the cloud SDK behind it) is loaded on the first
 * call, so importing a provider package costs nothing until machines are used. `validateSpec`
 * runs at once (it must stay light: a schema, no SDK).
 *
 * @example
 * ```ts
 * export const machines = lazyMachineProvider({
 *   provider: 'gcp',
 *   validateSpec: (spec) => gcpMachineClass.parse(spec),
 *   load: async () => (await import('./gcp-machine-provider.js')).createGcpMachineProvider(context),
 * });
 * ```
 */
export function lazyMachineProvider<Spec>(options: {
  readonly provider: string;
  readonly validateSpec: (spec: unknown) => Spec;
  readonly load: () => Promise<MachineProvider<Spec>>;
}): MachineProvider<Spec> {
  const implementation = lazily('machine provider', options.provider, options.load);
  return {
    specificationVersion: 'v1',
    provider: options.provider,
    validateSpec: options.validateSpec,
    createMachine: async (request, callOptions) =>
      (await implementation()).createMachine(request, callOptions),
    deleteMachine: async (ref, callOptions) => (await implementation()).deleteMachine(ref, callOptions),
    getMachine: async (ref, callOptions) => (await implementation()).getMachine(ref, callOptions),
    async *listMachines(filter, callOptions) {
      yield* (await implementation()).listMachines(filter, callOptions);
    },
  };
}

/** An `InfrastructureProvider` loaded on the first reconcile or delete (see {@link lazyMachineProvider}). */
export function lazyInfrastructureProvider<Config, Status extends InfrastructureStatus>(options: {
  readonly provider: string;
  readonly validateConfig: (config: unknown) => Config;
  readonly load: () => Promise<InfrastructureProvider<Config, Status>>;
}): InfrastructureProvider<Config, Status> {
  const implementation = lazily('infrastructure provider', options.provider, options.load);
  return {
    specificationVersion: 'v1',
    provider: options.provider,
    validateConfig: options.validateConfig,
    reconcile: async (request, callOptions) => (await implementation()).reconcile(request, callOptions),
    delete: async (request, callOptions) => (await implementation()).delete(request, callOptions),
  };
}

/** A `BackupStore` loaded on its first call (see {@link lazyMachineProvider}). */
export function lazyBackupStore(options: {
  readonly provider: string;
  readonly load: () => Promise<BackupStore>;
}): BackupStore {
  const implementation = lazily('backup store', options.provider, options.load);
  return {
    specificationVersion: 'v1',
    provider: options.provider,
    save: async (snapshot, data, callOptions) => (await implementation()).save(snapshot, data, callOptions),
    fetch: async (snapshot, callOptions) => (await implementation()).fetch(snapshot, callOptions),
    list: async (callOptions) => (await implementation()).list(callOptions),
    delete: async (snapshot, callOptions) => (await implementation()).delete(snapshot, callOptions),
  };
}
