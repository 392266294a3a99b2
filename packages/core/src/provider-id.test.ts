import { describe, expect, it } from 'vitest';
import { TrellisError } from './errors.js';
import { formatNodeProviderId, formatProviderId, type ProviderId, parseProviderId } from './provider-id.js';

describe('provider ids', () => {
  const cases: Array<[string, ProviderId]> = [
    [
      'aws:///eu-west-1a/i-0123456789abcdef0',
      { provider: 'aws', zone: 'eu-west-1a', instanceId: 'i-0123456789abcdef0' },
    ],
    [
      'gce:///my-project/europe-west1-b/shoot-worker-1',
      {
        provider: 'gcp',
        project: 'my-project',
        zone: 'europe-west1-b',
        name: 'shoot-worker-1',
      },
    ],
    [
      'azure:///westeurope/shoot-worker-1',
      { provider: 'azure', location: 'westeurope', vmName: 'shoot-worker-1' },
    ],
    [
      'cn-hangzhou.i-bp67acfmxazb4ph',
      { provider: 'alicloud', region: 'cn-hangzhou', instanceId: 'i-bp67acfmxazb4ph' },
    ],
    ['local:///demo/worker-1', { provider: 'local', cluster: 'demo', machineId: 'worker-1' }],
  ];

  it.each(cases)('parses and formats %s', (text, id) => {
    expect(parseProviderId(text)).toEqual(id);
    expect(formatProviderId(id)).toBe(text);
  });

  it.each([
    '',
    'aws://eu-west-1a/i-1',
    'aws:///i-1',
    'gce:///p/z',
    'azure:///a/b/c',
    'local:///x/../y',
    'foo:///a/b',
    'i-123',
  ])('rejects %j with InvalidArgument', (text) => {
    expect(() => parseProviderId(text)).toThrow(TrellisError);
    try {
      parseProviderId(text);
    } catch (error) {
      expect((error as TrellisError).code).toBe('InvalidArgument');
    }
  });

  it('refuses to format an id with an empty or slashed segment', () => {
    expect(() => formatProviderId({ provider: 'aws', zone: '', instanceId: 'i-1' })).toThrow(
      /invalid provider id/,
    );
    expect(() => formatProviderId({ provider: 'local', cluster: 'a/b', machineId: 'm' })).toThrow(
      /invalid provider id/,
    );
  });
});

describe('Node provider ids', () => {
  it("formats GCE's Node form with two slashes and parses both forms to the same machine", () => {
    const id = { provider: 'gcp', project: 'p1', zone: 'europe-west1-b', name: 'worker-0' } as const;
    expect(formatProviderId(id)).toBe('gce:///p1/europe-west1-b/worker-0');
    expect(formatNodeProviderId(id)).toBe('gce://p1/europe-west1-b/worker-0');
    expect(parseProviderId('gce://p1/europe-west1-b/worker-0')).toEqual(id);
    expect(formatNodeProviderId({ provider: 'aws', zone: 'eu-west-1a', instanceId: 'i-1' })).toBe(
      'aws:///eu-west-1a/i-1',
    );
    expect(() => parseProviderId('gce://p1/zone-only')).toThrow(/invalid provider id/);
  });
});
