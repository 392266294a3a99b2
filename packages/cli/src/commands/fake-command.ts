import {
  type FakeDefinition,
  type FakeFaultSpec,
  invalidArgument,
  providerPackageName,
  TrellisError,
} from '@trellis/core';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { CliContext } from '../cli-context.js';
import { formatJson } from '../output-format.js';
import { importProviderModule } from '../provider-import.js';

const FAULT_KINDS = ['throttle', 'server-error', 'latency', 'lost-response'] as const;

/**
 * Parses `--faults`: comma-separated rules `kind[:rate][@Action+Action]`, e.g.
 * `throttle:0.2,lost-response:0.05@RunInstances`. A rule without a rate fires on every call.
 */
export function parseFaultSpec(text: string): FakeFaultSpec[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part, index) => {
      const match = /^([a-z-]+)(?::([0-9.]+))?(?:@([A-Za-z0-9_.:+-]+))?$/.exec(part);
      const path = `--faults[${index}]`;
      if (!match) {
        throw invalidArgument('invalid --faults', [
          { path, message: `"${part}" is not kind[:rate][@Action+Action]` },
        ]);
      }
      const [, kind, rateText, actions] = match;
      if (!FAULT_KINDS.includes(kind as (typeof FAULT_KINDS)[number])) {
        throw invalidArgument('invalid --faults', [
          { path, message: `unknown fault kind "${kind}" (one of ${FAULT_KINDS.join(', ')})` },
        ]);
      }
      const rate = rateText === undefined ? undefined : Number(rateText);
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
        throw invalidArgument('invalid --faults', [{ path, message: `rate ${rateText} must lie in 0..1` }]);
      }
      return {
        kind: kind as FakeFaultSpec['kind'],
        ...(rate === undefined ? {} : { rate }),
        ...(actions ? { actions: actions.split('+') } : {}),
      };
    });
}

/** Loads `fakeDefinition` from `@trellis/provider-<type>/testing`. */
async function loadFakeDefinition(type: string): Promise<FakeDefinition> {
  if (type === 'local') {
    throw new TrellisError({
      code: 'InvalidArgument',
      message: 'the local provider runs on this machine and needs no fake: use --provider local directly',
    });
  }
  if (!/^[a-z][a-z0-9-]*$/.test(type)) {
    throw new TrellisError({ code: 'InvalidArgument', message: `"${type}" is not a provider type name` });
  }
  const specifier = `${providerPackageName(type)}/testing`;
  let module: { fakeDefinition?: FakeDefinition };
  try {
    module = (await importProviderModule(specifier)) as { fakeDefinition?: FakeDefinition };
  } catch (error) {
    const missing = String((error as Error)?.message).includes(providerPackageName(type));
    throw new TrellisError({
      code: missing ? 'NotFound' : 'Internal',
      message: missing
        ? `provider "${type}" is not installed: add ${providerPackageName(type)}`
        : `${specifier} failed to load: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
      cause: error,
    });
  }
  if (module.fakeDefinition?.type !== type) {
    throw new TrellisError({
      code: 'Unimplemented',
      message: `${providerPackageName(type)} ships no offline fakes for the command line`,
    });
  }
  return module.fakeDefinition;
}

interface FakeOptions {
  port?: string;
  host?: string;
  latency?: string;
  faults?: string;
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalidArgument('invalid --port', [{ path: '--port', message: `${text} is not a port (0-65535)` }]);
  }
  return port;
}

function parseLatency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const latency = Number(text);
  if (!Number.isFinite(latency) || latency < 0) {
    throw invalidArgument('invalid --latency', [
      { path: '--latency', message: `${text} is not a number of ms` },
    ]);
  }
  return latency;
}

/** Registers `trellis fake <provider>`: starts a provider's offline fakes until Ctrl-C. */
export function registerFakeCommand(program: Command, context: CliContext): void {
  program
    .command('fake <provider>')
    .description("start a provider's offline cloud fakes and print how to point tools at them (until Ctrl-C)")
    .option('--port <port>', 'port to listen on (default: a free port)')
    .option('--host <address>', 'address to listen on (default: 127.0.0.1)')
    .option('--latency <ms>', 'latency added to every call')
    .option(
      '--faults <spec>',
      'faults to inject: kind[:rate][@Action+Action],... (kinds: ' + FAULT_KINDS.join(', ') + ')',
    )
    .action(async (type: string, options: FakeOptions, command: Command) => {
      const port = parsePort(options.port);
      const latencyMs = parseLatency(options.latency);
      const faults = options.faults === undefined ? [] : parseFaultSpec(options.faults);
      const definition = await loadFakeDefinition(type);
      const fakes = await definition.start({
        ...(port === undefined ? {} : { port }),
        ...(options.host ? { host: options.host } : {}),
        ...(latencyMs === undefined ? {} : { latencyMs }),
        faults,
      });
      try {
        const description = {
          provider: type,
          endpoints: fakes.endpoints,
          config: { provider: type, providerSettings: fakes.providerSettings },
          environment: fakes.environment,
          notes: fakes.notes,
        };
        const { stdout } = context.io;
        if (context.options(command).output === 'json') stdout.write(formatJson(description));
        else {
          stdout.write(`${type} fakes running (Ctrl-C to stop)\n`);
          for (const [service, url] of Object.entries(fakes.endpoints))
            stdout.write(`  ${service}: ${url}\n`);
          stdout.write(`\ntrellis.yaml for the provider:\n${indent(stringify(description.config))}`);
          stdout.write('\nenvironment for the cloud CLI and SDKs:\n');
          for (const [name, value] of Object.entries(fakes.environment))
            stdout.write(`  export ${name}=${value}\n`);
          for (const note of fakes.notes) stdout.write(`\nnote: ${note}`);
          stdout.write('\n');
        }
        await untilAborted(context.signal);
      } finally {
        await fakes.close();
      }
    });
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
