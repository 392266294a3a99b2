import type { Machine } from '@trellis/core';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { formatTable, type TableColumn } from '../output-format.js';
import { parseSection } from '../provider-sections.js';
import { assertDns1123, collectTag, readTextInput, withProgress } from './command-helpers.js';
import { registerMachineGcCommand } from './machine-gc-command.js';

const MACHINE_COLUMNS: readonly TableColumn<Machine>[] = [
  { header: 'NAME', value: (machine) => machine.name },
  { header: 'PHASE', value: (machine) => machine.phase },
  { header: 'TYPE', value: (machine) => machine.machineType },
  { header: 'ZONE', value: (machine) => machine.zone },
  { header: 'ADDRESSES', value: (machine) => machine.addresses.map((address) => address.address) },
  { header: 'PROVIDER ID', value: (machine) => machine.providerId },
  { header: 'CREATED', value: (machine) => machine.createdAt },
];

interface CreateOptions {
  userData?: string;
  tag?: Record<string, string>;
}

/** Registers `trellis machine create|get|list|delete|gc`. */
export function registerMachineCommands(program: Command, context: CliContext): void {
  const machine = program.command('machine').description("create, read, list and delete a cluster's VMs");
  const { signal } = context;

  machine
    .command('create <name>')
    .description('create a machine from the machineClass of the config file (idempotent)')
    .option('--user-data <file>', "boot script / cloud-init for the machine ('-' reads stdin)")
    .option('--tag <key=value>', 'extra tag (repeatable)', collectTag)
    .action(async (name: string, options: CreateOptions, command: Command) => {
      assertDns1123(name, 'name', 'machine name');
      await context.withProvider(command, async ({ provider, config }) => {
        const cluster = context.requireCluster(config);
        const spec = parseSection(
          provider.schemas.machineClass,
          config.machineClass,
          'machineClass',
          config.file,
        );
        const userData = options.userData
          ? await readTextInput(context, options.userData, '--user-data')
          : undefined;
        const progress = context.progress(command, `creating machine ${name}`);
        const created = await withProgress(
          progress,
          () =>
            provider.machines.createMachine({ name, cluster, spec, userData, tags: options.tag }, { signal }),
          (result) => `machine ${result.name} is ${result.phase}`,
        );
        context.print(command, created, () => formatTable([created], MACHINE_COLUMNS));
      });
    });

  machine
    .command('get <name>')
    .description('show one machine (exit code 3 when it does not exist)')
    .action(async (name: string, _options: unknown, command: Command) => {
      assertDns1123(name, 'name', 'machine name');
      await context.withProvider(command, async ({ provider, config }) => {
        const cluster = context.requireCluster(config);
        const found = await provider.machines.getMachine({ cluster, name }, { signal });
        context.print(command, found, () => formatTable([found], MACHINE_COLUMNS));
      });
    });

  machine
    .command('list')
    .description("list the cluster's machines")
    .option('--tag <key=value>', 'only machines with this tag (repeatable)', collectTag)
    .option('--all', 'include terminated machines')
    .action(async (options: { tag?: Record<string, string>; all?: boolean }, command: Command) => {
      await context.withProvider(command, async ({ provider, config }) => {
        const cluster = context.requireCluster(config);
        const machines: Machine[] = [];
        const filter = { cluster, tags: options.tag, includeTerminated: options.all === true };
        for await (const item of provider.machines.listMachines(filter, { signal })) machines.push(item);
        machines.sort((left, right) => left.name.localeCompare(right.name));
        context.print(command, machines, () => formatTable(machines, MACHINE_COLUMNS));
      });
    });

  machine
    .command('delete <names...>')
    .description('delete machines and what they own (succeeds when already gone)')
    .action(async (names: string[], _options: unknown, command: Command) => {
      for (const name of names) assertDns1123(name, 'name', 'machine name');
      await context.withProvider(command, async ({ provider, config }) => {
        const cluster = context.requireCluster(config);
        for (const name of names) {
          const progress = context.progress(command, `deleting machine ${name}`);
          await withProgress(
            progress,
            () => provider.machines.deleteMachine({ cluster, name }, { signal }),
            () => `machine ${name} deleted`,
          );
        }
        const deleted = names.map((name) => ({ name, cluster, deleted: true }));
        context.print(command, deleted, () => names.map((name) => `deleted machine ${name}\n`).join(''));
      });
    });

  registerMachineGcCommand(machine, context);
}
