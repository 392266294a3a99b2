import { type ConfigSchema, type FieldIssue, invalidArgument, TrellisError, z } from '@trellis/core';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { trellisConfigSchema } from '../config-file.js';
import { formatJson } from '../output-format.js';
import { parseSection } from '../provider-sections.js';
import { redactSecrets } from '../redact-secrets.js';

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** Registers `trellis config schema|validate|show`. */
export function registerConfigCommands(program: Command, context: CliContext): void {
  const config = program
    .command('config')
    .description('the config file: its JSON Schema, validation, resolved view');

  config
    .command('schema')
    .description("print the config file's JSON Schema, with the --provider's section schemas")
    .option('--generic', 'leave the provider sections untyped (no provider is loaded)')
    .action(async (options: { generic?: boolean }, command: Command) => {
      const schema = z.toJSONSchema(trellisConfigSchema, { io: 'input', unrepresentable: 'any' }) as {
        properties: Record<string, Record<string, unknown>>;
      };
      if (!options.generic) {
        const type = context.options(command).provider;
        const definition = await context.loadProviderDefinition(type);
        const provider = definition.schemas ? undefined : definition.create({});
        const schemas = definition.schemas ?? provider!.schemas;
        try {
          const sections: [string, ConfigSchema<unknown>][] = [
            ['machineClass', schemas.machineClass],
            ['infrastructure', schemas.infrastructureConfig],
            ['backup', schemas.backupConfig],
          ];
          for (const [key, section] of sections) {
            const description = schema.properties[key]?.description;
            schema.properties[key] = { ...withoutDialect(section.toJsonSchema()), description };
          }
        } finally {
          await provider?.close?.();
        }
      }
      context.io.stdout.write(formatJson(schema));
    });

  config
    .command('validate')
    .description("check the config file and every section against the provider's schemas")
    .action(async (_options: unknown, command: Command) => {
      await context.withProvider(command, async ({ provider, config: loaded }) => {
        const issues: FieldIssue[] = [];
        const collect = (check: () => unknown) => {
          try {
            check();
          } catch (error) {
            if (!TrellisError.hasCode(error, 'InvalidArgument')) throw error;
            issues.push(...error.issues);
          }
        };
        collect(() => context.requireCluster(loaded));
        const { schemas } = provider;
        if (loaded.machineClass)
          collect(() => parseSection(schemas.machineClass, loaded.machineClass, 'machineClass', loaded.file));
        if (loaded.infrastructure) {
          collect(() =>
            parseSection(schemas.infrastructureConfig, loaded.infrastructure, 'infrastructure', loaded.file),
          );
        }
        if (loaded.backup)
          collect(() => parseSection(schemas.backupConfig, loaded.backup, 'backup', loaded.file));
        if (issues.length > 0) throw invalidArgument(`invalid config in ${loaded.file}`, issues);
        const result = { valid: true, file: loaded.file, provider: provider.provider };
        context.print(command, result, () => `${loaded.file} is valid for provider ${provider.provider}\n`);
      });
    });

  config
    .command('show')
    .description('print the config with command-line overrides applied (secrets redacted)')
    .action(async (_options: unknown, command: Command) => {
      const { file, ...loaded } = await context.loadConfig(command);
      const redacted = redactSecrets(loaded);
      context.print(command, redacted, () => `# ${file}\n${formatJson(redacted)}`);
    });
}
