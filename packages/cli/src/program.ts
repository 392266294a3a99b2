import { Command, CommanderError, Option } from 'commander';
import { type CliContext, type CliIo, createCliContext } from './cli-context.js';
import { registerBackupCommands } from './commands/backup-commands.js';
import { registerConfigCommands } from './commands/config-commands.js';
import { registerEtcdCommands } from './commands/etcd-commands.js';
import { registerFakeCommand } from './commands/fake-command.js';
import { registerInfraCommands } from './commands/infra-commands.js';
import { registerMachineCommands } from './commands/machine-commands.js';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes.js';
import { describeError, formatError, OUTPUT_FORMATS, type OutputFormat } from './output-format.js';

/** The version the `--version` flag prints. */
export const CLI_VERSION = '0.1.0';

/** Builds the `trellis` commander program over a context (for embedding and tests). */
export function createProgram(context: CliContext): Command {
  const program = new Command('trellis')
    .description('Machines, infrastructure and backups over any installed Trellis provider.')
    .version(CLI_VERSION)
    .addOption(
      new Option('--provider <type>', 'provider type; loads @trellis/provider-<type>')
        .default('local')
        .env('TRELLIS_PROVIDER'),
    )
    .addOption(
      new Option('-c, --config <file>', 'config file (JSON or YAML); default: ./trellis.yaml|yml|json').env(
        'TRELLIS_CONFIG',
      ),
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .addOption(new Option('--cluster <name>', 'cluster name (overrides the config file)'))
    .addOption(new Option('--region <region>', 'region (overrides the config file)'))
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
      outputError: () => {},
    });
  registerMachineCommands(program, context);
  registerInfraCommands(program, context);
  registerBackupCommands(program, context);
  registerConfigCommands(program, context);
  registerEtcdCommands(program, context);
  registerFakeCommand(program, context);
  const withEpilogue = (parent: Command) => {
    for (const command of parent.commands) {
      command.exitOverride().addHelpText('after', `\n${EXIT_CODES_HELP}\n`);
      withEpilogue(command);
    }
  };
  withEpilogue(program);
  return program;
}

function requestedFormat(argv: readonly string[]): OutputFormat {
  const index = argv.findIndex((argument) => argument === '--output' || argument === '-o');
  const value =
    index >= 0 ? argv[index + 1] : argv.find((argument) => argument.startsWith('--output='))?.slice(9);
  return value === 'json' ? 'json' : 'table';
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Streams to use. @default process.stdout, process.stderr, process.stdin */
  io?: CliIo;
  /** Aborts the running operation. The binary aborts it on SIGINT. */
  signal?: AbortSignal;
}

/**
 * Runs the CLI with the user's arguments (without `node` and the script) and resolves to the
 * exit code. Errors are printed, never thrown.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  const context = createCliContext(io, options.signal ?? new AbortController().signal);
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError && /help|version/.test(error.code)) return EXIT_CODES.ok;
    const report = describeError(error);
    io.stderr.write(formatError(report, requestedFormat(argv)));
    return report.exitCode;
  }
}
