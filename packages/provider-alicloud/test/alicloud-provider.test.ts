import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { collectBytes, modulesLoadedBy as loadedBy } from '@trellis/testkit';
import { describe, expect, it } from 'vitest';
import {
  type AlicloudProviderSettings,
  createAlicloudProvider,
  ensureAlicloudBackupBucket,
  providerDefinition,
} from '../src/index.js';
import { fakeDefinition } from '../src/testing/index.js';
import { SPEC } from './alicloud-machine-harness.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

describe('trellis fake alicloud (fakeDefinition) and the provider built from its settings', () => {
  it('runs machines, infrastructure and backups of one provider on the fakes it prints', async () => {
    const fakes = await fakeDefinition.start();
    const settings = fakes.providerSettings as AlicloudProviderSettings;
    const provider = createAlicloudProvider({ ...settings, rateLimitsPerMinute: { other: 100_000 } });
    try {
      expect(Object.keys(fakes.endpoints).sort()).toEqual(['ecs', 'oss', 'vpc']);
      expect(provider.provider).toBe('alicloud');
      expect(provider.defaultRegion).toBe('eu-central-1');

      const cluster = 'shoot--cli';
      const spec = {
        ...SPEC,
        tags: { [`kubernetes.io/cluster/${cluster}`]: '1', 'kubernetes.io/role/worker/shoot--cli': '1' },
      };
      const machine = await provider.machines.createMachine({ cluster, name: 'cli-0', spec });
      expect(machine.providerId).toMatch(/^eu-central-1\.i-[0-9a-f]+$/);
      await provider.machines.deleteMachine({ cluster, name: 'cli-0', providerId: machine.providerId });

      const config = {
        networks: {
          vpc: { cidr: '10.250.0.0/16' },
          zones: [{ name: 'eu-central-1a', workers: '10.250.0.0/19' }],
        },
      };
      const { status, state } = await provider.infrastructure.reconcile({
        cluster,
        region: 'eu-central-1',
        config,
      });
      expect(status.vpc.vswitches).toEqual([
        { purpose: 'nodes', id: status.subnets[0]!.nodes, zone: 'eu-central-1a' },
      ]);
      expect(status.egressCIDRs[0]).toMatch(/^47\.\d+\.\d+\.\d+\/32$/);
      await provider.infrastructure.delete({ cluster, region: 'eu-central-1', config, state });

      expect(await ensureAlicloudBackupBucket(provider.context, 'etcd-cli')).toEqual({ created: true });
      const store = provider.backupStore({ bucket: 'etcd-cli', prefix: 'cli' });
      const snapshot = { kind: 'Full', startRevision: 0, lastRevision: 7, createdOn: new Date() } as const;
      await store.save(snapshot, Readable.from([Buffer.from('snapshot bytes')]));
      expect((await collectBytes(await store.fetch(snapshot))).toString()).toBe('snapshot bytes');
    } finally {
      await fakes.close();
    }
  });

  it('registers as alicloud with the three schemas, and checks a config update', () => {
    expect(providerDefinition.type).toBe('alicloud');
    const config = {
      networks: {
        vpc: { cidr: '10.250.0.0/16' },
        zones: [{ name: 'eu-central-1a', workers: '10.250.0.0/19' }],
      },
    };
    const moved = {
      networks: { ...config.networks, zones: [{ name: 'eu-central-1b', workers: '10.250.0.0/19' }] },
    };
    expect(providerDefinition.checkInfrastructureConfigUpdate?.(config, moved)).toEqual([
      { path: 'networks.zones', message: 'zone eu-central-1a cannot be removed' },
    ]);
    expect(() => providerDefinition.schemas?.backupConfig.parse({ bucket: 'Bad_Bucket' })).toThrow(/bucket/);
  });

  it('fails a call without credentials clearly, naming the variables and no secret', async () => {
    const saved = { ...process.env };
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    try {
      const provider = createAlicloudProvider({
        region: 'eu-central-1',
        endpoints: { ecs: 'http://127.0.0.1:9' },
      });
      await expect(
        provider.machines.getMachine({ cluster: 'c', name: 'm', providerId: 'eu-central-1.i-1' }),
      ).rejects.toMatchObject({
        code: 'Unauthenticated',
        message: expect.stringContaining('ALIBABA_CLOUD_ACCESS_KEY_ID'),
      });
    } finally {
      Object.assign(process.env, saved);
    }
  });
});

describe('the published entries', () => {
  const modulesLoadedBy = (specifier: string) =>
    loadedBy(specifier, { cwd: packageDirectory, expectExports: ['createAlicloudProvider', 'startEcsFake'] });

  it('main entry loads neither the fakes, @trellis/testkit, vitest, ali-oss nor any Alibaba Cloud SDK', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-alicloud');
    expect(loaded.some((url) => url.includes('/provider-alicloud/dist/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => /testkit|vitest|\/testing\//.test(url))).toEqual([]);
    expect(loaded.filter((url) => /@alicloud\/|ali-oss/.test(url))).toEqual([]);
  });

  it('./testing loads the fakes (and the fake kit) without vitest', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-alicloud/testing');
    expect(loaded.some((url) => url.includes('/testkit/dist/fake/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => url.includes('vitest'))).toEqual([]);
  });
});
