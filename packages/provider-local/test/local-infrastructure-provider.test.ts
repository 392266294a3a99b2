import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type InfrastructureState, TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import type { LocalInfrastructureConfig } from '../src/index.js';
import { rejectionOf, useTemporaryProvider } from './local-test-helpers.js';

const config: LocalInfrastructureConfig = {
  networks: {
    cidr: '10.0.0.0/16',
    zones: [
      { name: 'zone-a', workers: '10.0.0.0/24', public: '10.0.100.0/24' },
      { name: 'zone-b', workers: '10.0.1.0/24' },
    ],
  },
};

describe('local infrastructure', () => {
  const local = useTemporaryProvider();

  it('reports every config problem with its field path, as a cloud would', async () => {
    const error = await rejectionOf(
      local.provider.infrastructure.reconcile({
        cluster: 'bad',
        region: 'local',
        config: {
          networks: {
            cidr: '10.0.0.0/16',
            zones: [
              { name: 'zone-a', workers: '10.0.0.0/24', public: '10.0.1.0/24' },
              { name: 'zone-a', workers: '10.0.1.0/24', internal: '10.0.2.1/24' },
              { name: 'zone-c', workers: '10.9.0.0/24', extra: true },
            ],
          },
        } as never,
      }),
    );
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect(error.message).toContain(
      'networks.zones[1].workers: 10.0.1.0/24 overlaps networks.zones[0].public (10.0.1.0/24)',
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'networks.zones[1].internal',
      'networks.zones[2]',
      'networks.zones[1].name',
      'networks.zones[1].workers',
      'networks.zones[2].workers',
    ]);
    expect(await local.provider.inventory()).toEqual([]);
  });

  it('creates network, subnets per zone and purpose, then a security group, reporting state after each', async () => {
    const reported: string[][] = [];
    const { status, state } = await local.provider.infrastructure.reconcile(
      { cluster: 'steps', region: 'local', config },
      { onState: (next) => void reported.push([...next.completedSteps]) },
    );
    expect(reported.map((steps) => steps.at(-1))).toEqual([
      'network',
      'subnet/zone-a/nodes',
      'subnet/zone-a/public',
      'subnet/zone-b/nodes',
      'security-group',
    ]);
    expect(status.subnets).toEqual([
      {
        zone: 'zone-a',
        nodes: state.resources['subnet/zone-a/nodes']?.id,
        public: state.resources['subnet/zone-a/public']?.id,
      },
      { zone: 'zone-b', nodes: state.resources['subnet/zone-b/nodes']?.id },
    ]);
    const inventory = await local.provider.inventory();
    expect(inventory.map((resource) => resource.kind).sort()).toEqual(
      ['network', 'security-group', 'subnet', 'subnet', 'subnet'].sort(),
    );
    expect(inventory.find((resource) => resource.id === status.networkId)?.attributes.cidr).toBe(
      '10.0.0.0/16',
    );

    // Dropping a zone removes its subnet and nothing else.
    const smaller = { networks: { ...config.networks, zones: config.networks.zones.slice(0, 1) } };
    const shrunk = await local.provider.infrastructure.reconcile({
      cluster: 'steps',
      region: 'local',
      config: smaller,
      state,
    });
    expect(shrunk.status.subnets.map((subnet) => subnet.zone)).toEqual(['zone-a']);
    expect((await local.provider.inventory()).length).toBe(4);

    const deleted: string[][] = [];
    await local.provider.infrastructure.delete(
      { cluster: 'steps', region: 'local', config: smaller, state: shrunk.state },
      { onState: (next) => void deleted.push([...next.completedSteps]) },
    );
    expect(deleted.map((steps) => steps.at(-1))).toEqual([
      'subnet/zone-a/public',
      'subnet/zone-a/nodes',
      'network',
      undefined,
    ]);
    expect(await local.provider.inventory()).toEqual([]);
  });

  it('refuses to change the network CIDR of an existing network', async () => {
    const { state } = await local.provider.infrastructure.reconcile({
      cluster: 'cidr',
      region: 'local',
      config,
    });
    const changed = { networks: { ...config.networks, cidr: '10.0.0.0/8' } };
    await expect(
      local.provider.infrastructure.reconcile({ cluster: 'cidr', region: 'local', config: changed, state }),
    ).rejects.toMatchObject({
      code: 'InvalidArgument',
      issues: [expect.objectContaining({ path: 'networks.cidr' })],
    });
    await local.provider.infrastructure.delete({ cluster: 'cidr', region: 'local', config, state });
  });

  it('rejects state written by another provider, naming the field', async () => {
    const state = {
      version: 'v1',
      provider: 'aws',
      resources: {},
      completedSteps: [],
    } as InfrastructureState;
    await expect(
      local.provider.infrastructure.delete({ cluster: 'foreign', region: 'local', config, state }),
    ).rejects.toMatchObject({
      code: 'InvalidArgument',
      issues: [expect.objectContaining({ path: 'state.provider' })],
    });
  });

  it('reports a corrupt resource file with its path and leaves it untouched', async () => {
    const { state } = await local.provider.infrastructure.reconcile({
      cluster: 'corrupt',
      region: 'local',
      config,
    });
    const file = path.join(
      local.stateDirectory,
      'infrastructure',
      'resources',
      `${state.resources.network?.id}.json`,
    );
    await fs.writeFile(file, 'not json');
    const error = await rejectionOf(
      local.provider.infrastructure.reconcile({ cluster: 'corrupt', region: 'local', config, state }),
    );
    expect(error).toMatchObject({ code: 'InvalidArgument' });
    expect(error.message).toContain(file);
    expect(await fs.readFile(file, 'utf8')).toBe('not json');
    await fs.rm(file);
    await local.provider.infrastructure.delete({ cluster: 'corrupt', region: 'local', config, state });
    expect(await local.provider.inventory()).toEqual([]);
  });
});
