import type { Instance } from '@aws-sdk/client-ec2';
import { parseProviderId } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ownershipFilters, phaseOf, toMachine } from './aws-machine-instance.js';

describe('phaseOf', () => {
  it.each([
    ['pending', 'Pending'],
    ['running', 'Running'],
    ['stopping', 'Stopping'],
    ['stopped', 'Stopped'],
    ['shutting-down', 'Terminating'],
    ['terminated', 'Terminated'],
    ['rebooting', 'Unknown'],
    [undefined, 'Unknown'],
  ] as const)('maps EC2 state %s to %s', (state, phase) => {
    expect(phaseOf(state)).toBe(phase);
  });
});

describe('toMachine', () => {
  const instance: Instance = {
    InstanceId: 'i-0123456789abcdef0',
    InstanceType: 'm5.large',
    State: { Name: 'running', Code: 16 },
    Placement: { AvailabilityZone: 'eu-west-1b' },
    PrivateIpAddress: '10.0.0.5',
    PublicIpAddress: '203.0.113.7',
    PrivateDnsName: 'ip-10-0-0-5.eu-west-1.compute.internal',
    PublicDnsName: 'ec2-203-0-113-7.eu-west-1.compute.amazonaws.com',
    NetworkInterfaces: [
      {
        Ipv6Addresses: [{ Ipv6Address: '2001:db8::5' }],
        PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.5' }],
      },
    ],
    LaunchTime: new Date('2026-01-01T00:00:00Z'),
    Tags: [
      { Key: 'Name', Value: 'worker-0' },
      { Key: 'kubernetes.io/cluster/shoot', Value: '1' },
    ],
  };

  it('reports name, zone, type, phase, tags and a Gardener provider id', () => {
    const machine = toMachine(instance, { cluster: 'shoot', region: 'eu-west-1' });
    expect(machine).toMatchObject({
      name: 'worker-0',
      cluster: 'shoot',
      providerId: 'aws:///eu-west-1b/i-0123456789abcdef0',
      phase: 'Running',
      zone: 'eu-west-1b',
      machineType: 'm5.large',
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    expect(machine.tags['kubernetes.io/cluster/shoot']).toBe('1');
    expect(parseProviderId(machine.providerId)).toEqual({
      provider: 'aws',
      zone: 'eu-west-1b',
      instanceId: instance.InstanceId,
    });
  });

  it('lists every address once, by kind', () => {
    expect(toMachine(instance, { cluster: 'shoot', region: 'eu-west-1' }).addresses).toEqual([
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'InternalIP', address: '2001:db8::5' },
      { type: 'ExternalIP', address: '203.0.113.7' },
      { type: 'Hostname', address: 'ip-10-0-0-5.eu-west-1.compute.internal' },
      { type: 'InternalDNS', address: 'ip-10-0-0-5.eu-west-1.compute.internal' },
      { type: 'ExternalDNS', address: 'ec2-203-0-113-7.eu-west-1.compute.amazonaws.com' },
    ]);
  });

  it('falls back to the region in the provider id while the zone is unknown', () => {
    const machine = toMachine(
      { ...instance, Placement: undefined },
      { cluster: 'shoot', region: 'eu-west-1' },
    );
    expect(machine.providerId).toBe('aws:///eu-west-1/i-0123456789abcdef0');
    expect(machine.zone).toBeUndefined();
  });
});

describe('ownershipFilters', () => {
  it('selects by the exact cluster and role tags, names, extra tags and states', () => {
    expect(
      ownershipFilters({ cluster: 'shoot', names: ['a', 'b'], tags: { pool: 'x' }, states: ['running'] }),
    ).toEqual([
      { Name: 'tag:kubernetes.io/cluster/shoot', Values: ['1'] },
      { Name: 'tag:kubernetes.io/role/node', Values: ['1'] },
      { Name: 'tag:Name', Values: ['a', 'b'] },
      { Name: 'tag:pool', Values: ['x'] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]);
  });
});
