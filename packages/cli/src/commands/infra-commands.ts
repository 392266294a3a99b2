import { type FieldIssue, type InfrastructureState, invalidArgument, notFound } from '@trellis/core';
import type { Command } from 'commander';
import type { CliContext, ResolvedConfig } from '../cli-context.js';
import { parseSection } from '../provider-sections.js';
import {
  createStateFileWriter,
  defaultStateFile,
  readStateFile,
  removeStateFile,
  type StateFile,
} from '../state-file.js';
import { withProgress } from './command-helpers.js';
import { formatInfraStatus } from './infra-status-format.js';

interface StateOptions {
  stateFile?: string;
}

function stateFilePath(options: StateOptions, config: ResolvedConfig, cluster: string): string {
  return options.stateFile ?? config.stateFile ?? defaultStateFile(cluster);
}

async function readOwnState(context: CliContext, file: string, cluster: string, provider: string) {
  const existing = await readStateFile(context.resolvePath(file), file);
  if (!existing) return undefined;
  const issues: FieldIssue[] = [];
  if (existing.cluster !== cluster) {
    issues.push({
      path: 'cluster',
      message: `the state is of cluster "${existing.cluster}", not "${cluster}"`,
    });
  }
  if (existing.provider !== provider) {
    issues.push({
      path: 'provider',
      message: `the state is of provider "${existing.provider}", not "${provider}"`,
    });
  }
  if (issues.length > 0) {
    throw invalidArgument(
      `state file ${file} belongs to another cluster or provider; it was left untouched`,
      issues,
    );
  }
  return existing;
}

/** Registers `trellis infra reconcile|status|delete`. */
export function registerInfraCommands(program: Command, context: CliContext): void {
  const infra = program
    .command('infra')
    .description("reconcile and delete a cluster's network, with persisted state");
  const { signal } = context;
  const stateOption = [
    '--state-file <file>',
    'state file (default: stateFile of the config, else .trellis/infra-<cluster>.json)',
  ] as const;

  infra
    .command('reconcile')
    .description('create or update the network from the infrastructure config; saves state after every step')
    .option(...stateOption)
    .action(async (options: StateOptions, command: Command) => {
      await context.withProvider(command, async ({ provider, config }) => {
        const cluster = context.requireCluster(config);
        const infraConfig = parseSection(
          provider.schemas.infrastructureConfig,
          config.infrastructure,
          'infrastructure',
          config.file,
        );
        const region = context.requireRegion({ ...config, region: config.region ?? provider.defaultRegion });
        const file = stateFilePath(options, config, cluster);
        const path = context.resolvePath(file);
        const existing = await readOwnState(context, file, cluster, provider.provider);
        const write = createStateFileWriter(path);
        const save = (state: InfrastructureState, status?: StateFile['status']) =>
          write({
            version: 'v1',
            provider: provider.provider,
            cluster,
            region,
            updatedAt: new Date().toISOString(),
            state,
            ...(status ? { status } : {}),
          });
        const progress = context.progress(command, `reconciling infrastructure of ${cluster}`);
        const result = await withProgress(
          progress,
          () =>
            provider.infrastructure.reconcile(
              { cluster, region, config: infraConfig, state: existing?.state },
              {
                signal,
                onState: async (state) => {
                  progress.update(
                    `reconciling infrastructure of ${cluster}: ${state.completedSteps.at(-1) ?? ''}`,
                  );
                  await save(state);
                },
              },
            ),
          () => `infrastructure of ${cluster} reconciled`,
        );
        await save(result.state, result.status);
        const output = {
          provider: provider.provider,
          cluster,
          region,
          stateFile: file,
          status: result.status,
        };
        context.print(command, output, () => formatInfraStatus(output, result.state));
      });
    });

  infra
    .command('status')
    .description('show the status and resources recorded by the last reconcile (exit code 3 when none)')
    .option(...stateOption)
    .action(async (options: StateOptions, command: Command) => {
      const config = await context.loadConfig(command);
      const cluster = context.requireCluster(config);
      const file = stateFilePath(options, config, cluster);
      const content = await readStateFile(context.resolvePath(file), file);
      if (!content)
        throw notFound(
          `no infrastructure state for cluster ${cluster} in ${file} (run trellis infra reconcile)`,
        );
      const output = { ...content, stateFile: file, complete: content.status !== undefined };
      context.print(command, output, () => formatInfraStatus(output, content.state));
    });

  infra
    .command('delete')
    .description('delete exactly what the state file says was created, then remove the state file')
    .option(...stateOption)
    .action(async (options: StateOptions, command: Command) => {
      await context.withProvider(command, async ({ provider, config }) => {
        const cluster = context.requireCluster(config);
        const file = stateFilePath(options, config, cluster);
        const path = context.resolvePath(file);
        const existing = await readOwnState(context, file, cluster, provider.provider);
        if (!existing) {
          const output = { cluster, stateFile: file, deleted: false };
          context.print(
            command,
            output,
            () => `no infrastructure state for ${cluster} in ${file}: nothing to delete\n`,
          );
          return;
        }
        const infraConfig = parseSection(
          provider.schemas.infrastructureConfig,
          config.infrastructure,
          'infrastructure',
          config.file,
        );
        const region = config.region ?? existing.region;
        const write = createStateFileWriter(path);
        const progress = context.progress(command, `deleting infrastructure of ${cluster}`);
        await withProgress(
          progress,
          () =>
            provider.infrastructure.delete(
              { cluster, region, config: infraConfig, state: existing.state },
              {
                signal,
                onState: (state) =>
                  write({
                    ...existing,
                    updatedAt: new Date().toISOString(),
                    state,
                    status: undefined,
                  }),
              },
            ),
          () => `infrastructure of ${cluster} deleted`,
        );
        await removeStateFile(path);
        const output = { cluster, stateFile: file, deleted: true };
        context.print(command, output, () => `deleted infrastructure of ${cluster} (removed ${file})\n`);
      });
    });
}
