import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import {
  computeClientOptions,
  createGcpProviderContext,
  resolveGcpProviderSettings,
} from './gcp-settings.js';

const key = {
  type: 'service_account',
  client_email: 'trellis@p1.iam.gserviceaccount.com',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIsecret\n-----END PRIVATE KEY-----\n',
  project_id: 'trellis-p1',
};

describe('GCP provider settings', () => {
  it('takes a service account key as JSON text or object, a key file, or none', () => {
    const fromText = resolveGcpProviderSettings({
      project: 'trellis-p1',
      region: 'europe-west1',
      credentials: JSON.stringify(key),
    });
    expect(computeClientOptions(fromText).credentials?.client_email).toBe(key.client_email);
    const fromFile = resolveGcpProviderSettings({
      project: 'trellis-p1',
      region: 'europe-west1',
      credentials: { keyFile: '/k.json' },
    });
    expect(computeClientOptions(fromFile).keyFilename).toBe('/k.json');
    const fake = resolveGcpProviderSettings({
      project: 'trellis-p1',
      region: 'europe-west1',
      credentials: 'none',
      endpoints: { compute: 'http://127.0.0.1:4321' },
    });
    expect(computeClientOptions(fake)).toMatchObject({
      anonymous: true,
      apiEndpoint: '127.0.0.1',
      port: 4321,
      protocol: 'http',
    });
  });

  it('lists every invalid setting with its path and never echoes a key', () => {
    const error = (() => {
      try {
        resolveGcpProviderSettings({
          project: 'P',
          region: '',
          credentials: '{"private_key":"-----BEGIN PRIVATE KEY-----x"}',
        } as never);
      } catch (caught) {
        return caught as TrellisError;
      }
      return undefined;
    })();
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect(error!.issues.map((issue) => issue.path).sort()).toEqual(['credentials', 'project', 'region']);
    expect(JSON.stringify(error!.issues) + error!.message).not.toContain('PRIVATE KEY');
  });

  it('uses prebuilt clients as they are, builds the others, and closes only what it built', async () => {
    let closed = 0;
    const instances = {
      close: async () => {
        closed += 1;
      },
    };
    const context = createGcpProviderContext({
      project: 'trellis-test',
      region: 'europe-west1',
      credentials: 'none',
      clients: { instances: instances as never },
    });
    expect(context.clients.client('instances', () => ({ close: async () => {} }))).toBe(instances);
    const built = context.clients.client('networks', () => ({
      close: async () => {
        closed += 10;
      },
    }));
    expect(context.clients.client('networks', () => ({ close: async () => {} }))).toBe(built);
    await context.clients.close();
    expect(closed).toBe(10);
    expect(() =>
      resolveGcpProviderSettings({
        project: 'trellis-test',
        region: 'r',
        clients: { instances: 'no' as never },
      }),
    ).toThrow(/clients.instances: must be an InstancesClient/);
  });
});
