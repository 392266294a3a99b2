import type { BackupStore } from './backup-store.js';
import type { FieldIssue } from './errors.js';
import { TrellisError } from './errors.js';
import type { InfrastructureProvider, InfrastructureStatus } from './infrastructure-provider.js';
import type { MachineProvider } from './machine-provider.js';
import type { ConfigSchema } from './validation.js';

/** One cloud's implementation of the three contracts, as a provider factory returns it. */
export interface TrellisProvider<
  MachineSpec = unknown,
  InfrastructureConfig = unknown,
  Status extends InfrastructureStatus = InfrastructureStatus,
  BackupConfig = unknown,
> {
  /** Version of the contracts. */
  readonly specificationVersion: 'v1';
  /** Provider type name (`aws`, `local`, ...). */
  readonly provider: string;
  /** VMs. */
  readonly machines: MachineProvider<MachineSpec>;
  /** Networks. */
  readonly infrastructure: InfrastructureProvider<InfrastructureConfig, Status>;
  /** A backup store for one bucket/container/directory and prefix. */
  backupStore(config: BackupConfig): BackupStore;
  /** The schemas of the config users write, for validation and JSON Schema export. */
  readonly schemas: {
    readonly machineClass: ConfigSchema<MachineSpec>;
    readonly infrastructureConfig: ConfigSchema<InfrastructureConfig>;
    readonly backupConfig: ConfigSchema<BackupConfig>;
  };
  /** The region used when the caller names none (`local` for the local provider); none for clouds. */
  readonly defaultRegion?: string;
  /** Releases clients, timers and sockets. */
  close?(): Promise<void>;
}

/**
 * What a provider package exports as `providerDefinition`, so tools can load a provider by its
 * type name (`trellis --provider aws` imports `@trellis/provider-aws`).
 */
export interface ProviderDefinition {
  /** Type name; the package is `@trellis/provider-<type>`. */
  readonly type: string;
  /** Creates the provider from plain settings (as read from a config file). */
  create(settings?: Record<string, unknown>): TrellisProvider;
  /** The provider's config schemas, readable without settings or credentials (`trellis config schema`). */
  readonly schemas?: TrellisProvider['schemas'];
  /**
   * The problems of changing an infrastructure config from `previous` to `next` (both valid):
   * Gardener's update rules (immutable fields), read from the configs alone, as an admission webhook
   * checks them before anything is reconciled. Issue paths are relative to the config.
   */
  checkInfrastructureConfigUpdate?(previous: unknown, next: unknown): FieldIssue[];
}

const REGISTRY_KEY = Symbol.for('trellis.provider-registry');

function registry(): Map<string, ProviderDefinition> {
  const holder = globalThis as unknown as Record<symbol, Map<string, ProviderDefinition> | undefined>;
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

/** Registers a provider definition under its type name (shared across copies of core). */
export function registerProvider(definition: ProviderDefinition): void {
  registry().set(definition.type, definition);
}

/** The type names registered so far. */
export function registeredProviders(): string[] {
  return [...registry().keys()].sort();
}

/** The package a provider type lives in: `@trellis/provider-<type>`. */
export function providerPackageName(type: string): string {
  return `@trellis/provider-${type}`;
}

/**
 * Finds a provider by type name: a registered one, else `import('@trellis/provider-<type>')`
 * through `importer` (pass `(specifier) => import(specifier)` from the calling package, so the
 * import resolves from where the provider is installed).
 */
export async function loadProvider(
  type: string,
  importer: (specifier: string) => Promise<unknown>,
): Promise<ProviderDefinition> {
  const known = registry().get(type);
  if (known) return known;
  if (!/^[a-z][a-z0-9-]*$/.test(type)) {
    throw new TrellisError({ code: 'InvalidArgument', message: `"${type}" is not a provider type name` });
  }
  const specifier = providerPackageName(type);
  let module: { providerDefinition?: ProviderDefinition };
  try {
    module = (await importer(specifier)) as { providerDefinition?: ProviderDefinition };
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    const missing =
      cause?.code === 'ERR_MODULE_NOT_FOUND' && String(cause.message).includes(`'${specifier}'`);
    throw new TrellisError(
      missing
        ? {
            code: 'NotFound',
            message: `provider "${type}" is not installed: add ${specifier} (npm install ${specifier})`,
            cause: error,
          }
        : {
            code: 'Internal',
            message: `${specifier} is installed but failed to load: ${String(cause?.message ?? error).split('\n')[0]}`,
            cause: error,
          },
    );
  }
  const definition = module.providerDefinition;
  if (!definition || definition.type !== type) {
    throw new TrellisError({
      code: 'Internal',
      message: `${specifier} does not export a providerDefinition of type "${type}"`,
    });
  }
  registerProvider(definition);
  return definition;
}
