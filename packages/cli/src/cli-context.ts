import { resolve } from 'node:path';
import {
  checkDns1123Label,
  invalidArgument,
  loadProvider,
  type ProviderDefinition,
  providerPackageName,
  TrellisError,
  type TrellisProvider,
} from '@trellis/core';
import type { Command } from 'commander';
import { loadConfig, type TrellisConfig } from './config-file.js';
import { formatJson, type OutputFormat } from './output-format.js';
import { type Progress, startProgress } from './progress.js';
import { importProviderModule } from './provider-import.js';
import { missingSetting } from './provider-sections.js';

/** Streams the CLI reads and writes; `process.std*` for the `trellis` binary. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
}

/** The global options every command accepts, as given on the command line. */
export interface GlobalOptions {
  readonly provider: string;
  readonly config?: string;
  readonly output: OutputFormat;
  readonly cluster?: string;
  readonly region?: string;
}

/** The config file with the command line applied: `provider` is always set. */
export type ResolvedConfig = TrellisConfig & {
  readonly provider: string;
  /** The config file name used in messages. */
  readonly file: string;
};

/** A provider created from the config, with the config it was created from. */
export interface OpenedProvider {
  readonly provider: TrellisProvider;
  readonly config: ResolvedConfig;
}

/** What every command group gets: config and provider loading, output helpers, the abort signal. */
export interface CliContext {
  readonly io: CliIo;
  /** Aborts when the user presses Ctrl-C (SIGINT); pass it to every provider call. */
  readonly signal: AbortSignal;
  /** The global options of the command being run. */
  options(command: Command): GlobalOptions;
  /** The config file (`--config`, else `trellis.yaml|yml|json`, else empty) with flags applied. */
  loadConfig(command: Command): Promise<ResolvedConfig>;
  /** Loads a provider definition by type name (`local` → `@trellis/provider-local`). */
  loadProviderDefinition(type: string): Promise<ProviderDefinition>;
  /** Creates the configured provider, runs `action` with it, and closes it. */
  withProvider<T>(command: Command, action: (opened: OpenedProvider) => Promise<T>): Promise<T>;
  /** The cluster (`--cluster` or `cluster:`), or an `InvalidArgument` error. */
  requireCluster(config: ResolvedConfig): string;
  /** The region (`--region` or `region:`), or an `InvalidArgument` error. */
  requireRegion(config: ResolvedConfig): string;
  /** Writes `value` as JSON with `--output json`, else the text `table()` returns. */
  print(command: Command, value: unknown, table: () => string): void;
  /** A spinner on stderr, shown only when stdout is a terminal and the output is not JSON. */
  progress(command: Command, text: string): Progress;
  /** Resolves a path against the working directory. */
  resolvePath(path: string): string;
}

function explicit(command: Command, key: string): boolean {
  const source = command.getOptionValueSourceWithGlobals(key);
  return source === 'cli' || source === 'env';
}

/** Creates the context the commands of one run share. */
export function createCliContext(io: CliIo, signal: AbortSignal): CliContext {
  let configPromise: Promise<ResolvedConfig> | undefined;
  const context: CliContext = {
    io,
    signal,
    options: (command) => command.optsWithGlobals<GlobalOptions>(),
    loadConfig(command) {
      configPromise ??= (async () => {
        const options = context.options(command);
        const { config, file } = await loadConfig(options.config || undefined, process.cwd());
        return {
          ...config,
          provider:
            explicit(command, 'provider') && options.provider
              ? options.provider
              : (config.provider ?? (options.provider || 'local')),
          cluster: options.cluster ?? config.cluster,
          region: options.region ?? config.region,
          file: file ?? 'the config file',
        };
      })();
      return configPromise;
    },
    loadProviderDefinition: (type) => loadProvider(type, (specifier) => importProviderModule(specifier)),
    async withProvider(command, action) {
      const config = await context.loadConfig(command);
      const definition = await context.loadProviderDefinition(config.provider);
      let provider: TrellisProvider;
      try {
        provider = definition.create(config.providerSettings ?? {});
      } catch (error) {
        if (TrellisError.isInstance(error)) throw error;
        throw new TrellisError({
          code: 'Internal',
          message: `${providerPackageName(config.provider)} failed to start: ${(error as Error).message}`,
          cause: error,
        });
      }
      try {
        return await action({ provider, config });
      } finally {
        await provider.close?.();
      }
    },
    requireCluster(config) {
      if (!config.cluster)
        throw missingSetting('cluster', 'pass --cluster or set cluster in the config file');
      const issue = checkDns1123Label(config.cluster, 'cluster');
      if (issue) throw invalidArgument('invalid cluster name', [issue]);
      return config.cluster;
    },
    requireRegion(config) {
      if (!config.region) throw missingSetting('region', 'pass --region or set region in the config file');
      return config.region;
    },
    print(command, value, table) {
      io.stdout.write(context.options(command).output === 'json' ? formatJson(value) : table());
    },
    progress(command, text) {
      // ora loops when a terminal reports 0 columns (e.g. under `script` without a size).
      const terminal = io.stderr as { isTTY?: boolean; columns?: number };
      const enabled =
        io.stdout.isTTY === true &&
        terminal.isTTY === true &&
        (terminal.columns ?? 0) > 0 &&
        context.options(command).output !== 'json';
      return startProgress(text, { enabled, stream: io.stderr });
    },
    resolvePath: (path) => resolve(process.cwd(), path),
  };
  return context;
}
