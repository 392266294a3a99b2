export {
  type CliContext,
  type CliIo,
  createCliContext,
  type GlobalOptions,
  type OpenedProvider,
  type ResolvedConfig,
} from './cli-context.js';
export { DEFAULT_CONFIG_FILES, type TrellisConfig, trellisConfigSchema } from './config-file.js';
export { EXIT_CODES, exitCodeFor } from './exit-codes.js';
export { CLI_VERSION, createProgram, type RunOptions, run } from './program.js';
