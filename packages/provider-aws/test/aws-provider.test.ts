import { EC2Client } from '@aws-sdk/client-ec2';
import { loadProvider, registeredProviders, TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { createAwsProvider, providerDefinition } from '../src/index.js';
import { FAKE_CREDENTIALS, REGION, useMachineFake } from './aws-machine-harness.js';

const cloud = useMachineFake();

describe('createAwsProvider', () => {
  it('rejects invalid settings with every problem, never echoing credentials', () => {
    const secret = 'very-secret-access-key-that-must-not-leak';
    try {
      createAwsProvider({
        region: '',
        credentials: { accessKeyId: 'AKID', secretAccessKey: secret },
        endpoint: 'not a url',
        listPageSize: 2,
      });
      expect.unreachable();
    } catch (error) {
      expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
      const paths = (error as TrellisError).issues.map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['region', 'endpoint', 'listPageSize']));
      expect(JSON.stringify(error)).not.toContain(secret);
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('resolves credentials on the first call, not when created', async () => {
    let resolved = 0;
    const provider = createAwsProvider({
      region: REGION,
      endpoint: cloud.fake.url,
      credentials: async () => {
        resolved++;
        return FAKE_CREDENTIALS;
      },
    });
    expect(provider.provider).toBe('aws');
    expect(provider.schemas.machineClass.validate(cloud.spec).success).toBe(true);
    expect(resolved).toBe(0);
    await expect(provider.machines.getMachine({ cluster: 'lazy', name: 'worker-0' })).rejects.toMatchObject({
      code: 'NotFound',
    });
    expect(resolved).toBeGreaterThan(0);
    await provider.close();
  });

  it('uses a prebuilt EC2 client as it is (the seam for tests)', async () => {
    const client = new EC2Client({ endpoint: cloud.fake.url, region: REGION, credentials: FAKE_CREDENTIALS });
    let sent = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        sent++;
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const provider = createAwsProvider({ region: REGION, clients: { ec2: client } });
    const machine = await provider.machines.createMachine({
      cluster: 'seam',
      name: 'worker-0',
      spec: cloud.spec,
    });
    expect(sent).toBeGreaterThan(0);
    await provider.machines.deleteMachine(machine);
    await provider.close();
    // close() leaves a client it did not create usable.
    await expect(provider.machines.getMachine({ cluster: 'seam', name: 'worker-0' })).rejects.toMatchObject({
      code: 'NotFound',
    });
    client.destroy();
  });

  it('reaches EC2 through a per-service endpoint and rejects user data above 16 KiB', async () => {
    const provider = createAwsProvider({
      region: REGION,
      credentials: FAKE_CREDENTIALS,
      endpoints: { ec2: cloud.fake.url },
    });
    const before = cloud.fake.calls.count();
    const error = await provider.machines
      .createMachine({
        cluster: 'limits',
        name: 'worker-0',
        spec: cloud.spec,
        userData: 'x'.repeat(16 * 1024 + 1),
      })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect((error as TrellisError).issues.map((issue) => issue.path)).toEqual(['userData']);
    expect(cloud.fake.calls.count()).toBe(before);
    const machine = await provider.machines.createMachine({
      cluster: 'limits',
      name: 'worker-0',
      spec: cloud.spec,
      userData: '#!/bin/sh',
    });
    expect(cloud.fake.state.instance(machine.providerId.split('/').at(-1)!)?.userDataText).toBe('#!/bin/sh');
    await provider.machines.deleteMachine(machine);
    await provider.close();
  });

  it('is loadable by type name as "aws"', async () => {
    expect(providerDefinition.type).toBe('aws');
    const definition = await loadProvider('aws', async () => ({ providerDefinition }));
    expect(registeredProviders()).toContain('aws');
    const provider = definition.create({
      region: REGION,
      credentials: FAKE_CREDENTIALS,
      endpoint: cloud.fake.url,
    });
    expect(provider.provider).toBe('aws');
    expect(Object.keys(provider.schemas.machineClass.toJsonSchema())).toContain('properties');
    await provider.close?.();
  });
});
