import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InfrastructureState, type Machine, TrellisError } from '@trellis/core';
import { createLocalProvider } from '@trellis/provider-local';
import { backupRoundTrip } from './backup-round-trip.ts';
import { freePort, getWhenReady, httpServerUserData, isListening } from './http-machine.ts';
import { detail, machineTable, step } from './report.ts';

const cluster = 'quickstart';
const workDirectory = await mkdtemp(join(tmpdir(), 'trellis-quickstart-'));
const marker = `trellis-quickstart-${process.pid}`;
const trellis = createLocalProvider({ stateDirectory: join(workDirectory, 'state'), gracePeriodMs: 3_000 });
const names = ['web-0', 'web-1', 'web-2'];
const ports = new Map<string, number>();
const config = trellis.infrastructure.validateConfig({
  networks: {
    cidr: '10.0.0.0/16',
    zones: [
      { name: 'zone-a', workers: '10.0.0.0/24', public: '10.0.100.0/24' },
      { name: 'zone-b', workers: '10.0.1.0/24', public: '10.0.101.0/24' },
    ],
  },
});
let state: InfrastructureState | undefined;
let failed = false;

try {
  step(`Reconciling the network of cluster "${cluster}" (local provider, state in ${workDirectory})`);
  const reconciled = await trellis.infrastructure.reconcile(
    { cluster, region: 'local', config },
    {
      onState: (next: InfrastructureState) => {
        state = next;
      },
    },
  );
  state = reconciled.state;
  detail(`network ${reconciled.status.networkId}, ${reconciled.state.completedSteps.length} steps`);
  for (const zone of reconciled.status.subnets) detail(`zone ${zone.zone}: nodes subnet ${zone.nodes}`);

  step('Creating 3 machines; each one runs a small HTTP server as its user data');
  for (const name of names) ports.set(name, await freePort());
  const zones = reconciled.status.subnets.map((subnet) => subnet.zone);
  const created = await Promise.all(
    names.map((name, index) =>
      trellis.machines.createMachine({
        cluster,
        name,
        spec: trellis.machines.validateSpec({ machineType: 'local', zone: zones[index % zones.length] }),
        userData: httpServerUserData(ports.get(name)!, marker),
      }),
    ),
  );
  for (const machine of created) detail(`created ${machine.name} → ${machine.providerId}`);
  const again = await trellis.machines.createMachine({
    cluster,
    name: 'web-0',
    spec: trellis.machines.validateSpec({}),
    userData: httpServerUserData(ports.get('web-0')!, marker),
  });
  detail(`creating web-0 again returns the same machine: ${again.providerId === created[0]!.providerId}`);

  step('Calling each machine over HTTP');
  for (const name of names)
    detail(`GET :${ports.get(name)} → "${await getWhenReady(`http://127.0.0.1:${ports.get(name)}/`)}"`);

  step("Listing the cluster's machines");
  const listed: Machine[] = [];
  for await (const machine of trellis.machines.listMachines({ cluster })) listed.push(machine);
  machineTable(listed);

  step('Saving a backup, listing the store, restoring the backup and checking it');
  const store = trellis.backupStore({ directory: join(workDirectory, 'backups'), prefix: cluster });
  const snapshot = await backupRoundTrip(
    store,
    JSON.stringify({ cluster, machines: listed.map((m) => m.providerId) }),
  );
  await store.delete(snapshot);
} catch (error) {
  failed = true;
  const code = TrellisError.isInstance(error) ? ` [${error.code}]` : '';
  console.error(`\nquickstart failed${code}: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  step('Deleting everything');
  for (const name of names) {
    await trellis.machines.deleteMachine({ cluster, name }).then(
      () => detail(`deleted ${name}`),
      (error: unknown) => {
        failed = true;
        console.error(`could not delete ${name}: ${String(error)}`);
      },
    );
  }
  await trellis.infrastructure.delete({ cluster, region: 'local', config, state }).then(
    () => detail('deleted the network'),
    (error: unknown) => {
      failed = true;
      console.error(`could not delete the network: ${String(error)}`);
    },
  );
  const stillListening = [];
  for (const [name, port] of ports) if (await isListening(port)) stillListening.push(name);
  if (stillListening.length > 0) {
    failed = true;
    console.error(`still serving after delete: ${stillListening.join(', ')}`);
  } else {
    detail('no machine process is left: every port is closed');
  }
  await rm(workDirectory, { recursive: true, force: true });
}

step(failed ? 'Quickstart failed.' : 'Quickstart done.');
process.exitCode = failed ? 1 : 0;
