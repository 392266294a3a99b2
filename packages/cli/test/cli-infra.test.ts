import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, runCli } from './run-cli.js';

const CONFIG = {
  cluster: 'net-test',
  region: 'local',
  infrastructure: {
    networks: {
      cidr: '10.0.0.0/16',
      zones: [
        { name: 'zone-a', workers: '10.0.0.0/24' },
        { name: 'zone-b', workers: '10.0.1.0/24', public: '10.0.100.0/24' },
      ],
    },
  },
};

interface StatusOutput {
  status: { networkId: string; subnets: { zone: string; nodes: string; public?: string }[] };
}

describe('trellis infra', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;

  beforeAll(async () => {
    workspace = await createWorkspace({ 'cluster.json': JSON.stringify(CONFIG) });
  });

  afterAll(async () => {
    await runCli(workspace.directory, ['-c', 'cluster.json', 'infra', 'delete']);
    await workspace.remove();
  });

  it('reconciles, reports status, reconciles again without change and deletes', async () => {
    const { directory } = workspace;
    const stateFile = join(directory, '.trellis', 'infra-net-test.json');
    const first = await runCli(directory, ['-c', 'cluster.json', 'infra', 'reconcile', '-o', 'json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const reconciled = parseJson<StatusOutput>(first.stdout);
    expect(reconciled.status.subnets.map((subnet) => subnet.zone).sort()).toEqual(['zone-a', 'zone-b']);
    expect(reconciled.status.subnets.find((subnet) => subnet.zone === 'zone-b')?.public).toBeTruthy();
    expect(existsSync(stateFile)).toBe(true);

    const status = await runCli(directory, ['-c', 'cluster.json', 'infra', 'status', '-o', 'json']);
    expect(status.code).toBe(0);
    expect(parseJson<StatusOutput & { complete: boolean }>(status.stdout)).toMatchObject({
      complete: true,
      status: reconciled.status,
    });
    const table = await runCli(directory, ['-c', 'cluster.json', 'infra', 'status']);
    expect(table.stdout).toContain(reconciled.status.networkId);

    const second = await runCli(directory, ['-c', 'cluster.json', 'infra', 'reconcile', '-o', 'json']);
    expect(second.code).toBe(0);
    expect(parseJson<StatusOutput>(second.stdout).status).toEqual(reconciled.status);

    const deleted = await runCli(directory, ['-c', 'cluster.json', 'infra', 'delete', '-o', 'json']);
    expect(deleted.code).toBe(0);
    expect(parseJson(deleted.stdout)).toMatchObject({ deleted: true });
    expect(existsSync(stateFile)).toBe(false);

    const none = await runCli(directory, ['-c', 'cluster.json', 'infra', 'status']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/^error \[NotFound\]/);
    const nothing = await runCli(directory, ['-c', 'cluster.json', 'infra', 'delete', '-o', 'json']);
    expect(nothing.code).toBe(0);
    expect(parseJson(nothing.stdout)).toMatchObject({ deleted: false });
  });

  it('keeps the state where --state-file says', async () => {
    const { directory } = workspace;
    const result = await runCli(directory, [
      '-c',
      'cluster.json',
      '--cluster',
      'net-two',
      'infra',
      'reconcile',
      '--state-file',
      'two.json',
    ]);
    expect(result.code).toBe(0);
    expect(existsSync(join(directory, 'two.json'))).toBe(true);
    const deleted = await runCli(directory, [
      '-c',
      'cluster.json',
      '--cluster',
      'net-two',
      'infra',
      'delete',
      '--state-file',
      'two.json',
    ]);
    expect(deleted.code).toBe(0);
    expect(existsSync(join(directory, 'two.json'))).toBe(false);
  });

  it('uses the local provider default region when the config names none', async () => {
    const { region: _region, ...withoutRegion } = { ...CONFIG, cluster: 'no-region' };
    const local = await createWorkspace({ 'cluster.json': JSON.stringify(withoutRegion) });
    try {
      const reconciled = await runCli(local.directory, [
        '-c',
        'cluster.json',
        'infra',
        'reconcile',
        '-o',
        'json',
      ]);
      expect(reconciled.stderr).toBe('');
      expect(reconciled.code).toBe(0);
      const state = parseJson<{ region: string }>(
        readFileSync(join(local.directory, '.trellis', 'infra-no-region.json'), 'utf8'),
      );
      expect(state.region).toBe('local');
      expect((await runCli(local.directory, ['-c', 'cluster.json', 'infra', 'delete'])).code).toBe(0);
    } finally {
      await local.remove();
    }
  });

  it('checks the network config before anything else and shows a /33 without internal fragments', async () => {
    const bad = {
      cluster: 'bad-prefix',
      infrastructure: {
        networks: { cidr: '10.0.0.0/33', zones: [{ name: 'zone-a', workers: '10.0.0.0/24' }] },
      },
    };
    const local = await createWorkspace({ 'cluster.json': JSON.stringify(bad) });
    try {
      const result = await runCli(local.directory, ['-c', 'cluster.json', 'infra', 'reconcile']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        '  infrastructure.networks.cidr: "10.0.0.0/33" is not a CIDR: invalid CIDR "10.0.0.0/33": prefix length must be 0-32\n',
      );
      expect(result.stderr).not.toContain('<root>');
    } finally {
      await local.remove();
    }
  });
});
