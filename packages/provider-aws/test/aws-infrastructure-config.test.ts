import { TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import {
  type AwsInfrastructureConfig,
  awsInfrastructureConfigSchema,
  checkAwsInfrastructureConfigUpdate,
  parseAwsInfrastructureConfig,
  validateAwsInfrastructureConfigUpdate,
} from '../src/aws-infrastructure-config.js';

function valid(): AwsInfrastructureConfig {
  return {
    networks: {
      vpc: { cidr: '10.0.0.0/16', gatewayEndpoints: ['s3'] },
      zones: [
        { name: 'eu-west-1a', workers: '10.0.0.0/19', public: '10.0.32.0/20', internal: '10.0.48.0/20' },
        { name: 'eu-west-1b', workers: '10.0.64.0/19', public: '10.0.96.0/20', internal: '10.0.112.0/20' },
      ],
    },
    nodesCidr: '10.0.0.0/16',
    podsCidr: '100.96.0.0/11',
    servicesCidr: '100.64.0.0/13',
  };
}

/** The issues of a config, as `path: message` pairs. */
function issuesOf(config: unknown): Array<{ path: string; message: string }> {
  const result = awsInfrastructureConfigSchema.validate(config);
  return result.success ? [] : [...result.issues];
}

function pathsOf(config: unknown): string[] {
  return issuesOf(config).map((issue) => issue.path);
}

describe('AWS infrastructure config', () => {
  it('accepts a managed VPC with zones, and a bring-your-own VPC with existing subnets', () => {
    expect(issuesOf(valid())).toEqual([]);
    const byo = {
      networks: {
        vpc: { id: 'vpc-0abc' },
        zones: [{ name: 'eu-west-1a', subnetIds: { workers: 'subnet-1', public: 'subnet-2' } }],
      },
    };
    expect(issuesOf(byo)).toEqual([]);
    // A bring-your-own VPC with managed subnets is Gardener's usual case.
    expect(issuesOf({ ...valid(), networks: { ...valid().networks, vpc: { id: 'vpc-0abc' } } })).toEqual([]);
  });

  it('rejects with InvalidArgument listing every problem with its field path', () => {
    const config = valid();
    config.networks.zones[0]!.workers = '10.0.0.1/19';
    config.networks.zones[1]!.public = 'nonsense';
    let error: unknown;
    try {
      parseAwsInfrastructureConfig(config);
    } catch (caught) {
      error = caught;
    }
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    const paths = (error as TrellisError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['networks.zones[0].workers', 'networks.zones[1].public']));
    expect((error as TrellisError).message).toContain('networks.zones[0].workers');
  });

  it('needs at least one zone', () => {
    const config = valid();
    config.networks.zones = [];
    expect(pathsOf(config)).toContain('networks.zones');
  });

  it('needs exactly one of vpc id and cidr', () => {
    expect(pathsOf({ ...valid(), networks: { ...valid().networks, vpc: {} } })).toContain('networks.vpc');
    expect(
      pathsOf({ ...valid(), networks: { ...valid().networks, vpc: { id: 'vpc-1', cidr: '10.0.0.0/16' } } }),
    ).toContain('networks.vpc');
  });

  it('needs every zone bring-your-own or every zone managed, and existing subnets only in an existing VPC', () => {
    const mixed = valid();
    mixed.networks.vpc = { id: 'vpc-1' };
    mixed.networks.zones[1] = { name: 'eu-west-1b', subnetIds: { workers: 'subnet-1' } };
    expect(pathsOf(mixed)).toContain('networks.zones');

    const managedVpc = valid();
    managedVpc.networks.zones = [{ name: 'eu-west-1a', subnetIds: { workers: 'subnet-1' } }];
    expect(pathsOf(managedVpc)).toContain('networks.zones[0].subnetIds');

    const both = valid();
    both.networks.vpc = { id: 'vpc-1' };
    both.networks.zones[0]!.subnetIds = { workers: 'subnet-1' };
    expect(pathsOf(both)).toContain('networks.zones[0].workers');

    const missing = valid();
    delete missing.networks.zones[0]!.internal;
    expect(pathsOf(missing)).toContain('networks.zones[0].internal');
  });

  it('needs canonical IPv4 CIDRs', () => {
    const config = valid();
    config.networks.vpc.cidr = '10.0.0.1/16';
    config.networks.zones[0]!.internal = '10.0.48.0/33';
    const issues = issuesOf(config);
    expect(issues.find((issue) => issue.path === 'networks.vpc.cidr')?.message).toContain('10.0.0.0/16');
    expect(issues.map((issue) => issue.path)).toContain('networks.zones[0].internal');
    const ipv6 = valid();
    ipv6.networks.zones[0]!.workers = '2001:db8::/64';
    expect(pathsOf(ipv6)).toContain('networks.zones[0].workers');
  });

  it('needs zone CIDRs inside the VPC', () => {
    const config = valid();
    config.networks.zones[1]!.workers = '10.1.0.0/19';
    config.nodesCidr = undefined;
    expect(issuesOf(config)).toContainEqual({
      path: 'networks.zones[1].workers',
      message: '"10.1.0.0/19" must lie inside networks.vpc.cidr',
    });
  });

  it('rejects zone CIDRs that overlap each other', () => {
    const config = valid();
    config.networks.zones[1]!.internal = '10.0.40.0/21';
    const issue = issuesOf(config).find((candidate) => candidate.path === 'networks.zones[1].internal');
    expect(issue?.message).toContain('overlaps networks.zones[0].public');
  });

  it('rejects zone CIDRs that overlap the pod or service network, and pods/services overlapping the VPC', () => {
    const config = valid();
    config.podsCidr = '10.0.32.0/20';
    config.servicesCidr = '10.0.112.0/22';
    const paths = pathsOf(config);
    expect(paths).toEqual(
      expect.arrayContaining([
        'networks.zones[0].public',
        'networks.zones[1].internal',
        'podsCidr',
        'servicesCidr',
      ]),
    );
  });

  it('needs workers inside the node network and the node network inside the VPC', () => {
    const config = valid();
    config.nodesCidr = '10.0.0.0/19';
    expect(pathsOf(config)).toEqual(['networks.zones[1].workers']);
    config.nodesCidr = '10.0.0.0/8';
    expect(pathsOf(config)).toContain('nodesCidr');
  });

  it('needs unique elastic IP allocation ids starting with eipalloc-', () => {
    const config = valid();
    config.networks.zones[0]!.elasticIPAllocationID = 'eipalloc-1';
    config.networks.zones[1]!.elasticIPAllocationID = 'eipalloc-1';
    expect(pathsOf(config)).toEqual(['networks.zones[1].elasticIPAllocationID']);
    config.networks.zones[1]!.elasticIPAllocationID = 'alloc-2';
    expect(pathsOf(config)).toEqual(['networks.zones[1].elasticIPAllocationID']);
  });

  it('rejects duplicate zones, bad gateway endpoint names and reserved ignored tags', () => {
    const config = valid();
    config.networks.zones[1]!.name = 'eu-west-1a';
    config.networks.vpc.gatewayEndpoints = ['s3', 'not a service', 's3'];
    config.ignoreTags = { keys: ['Name', 'team'], keyPrefixes: ['kubernetes.io/', 'example.com/'] };
    expect(pathsOf(config)).toEqual([
      'networks.zones[1].name',
      'networks.vpc.gatewayEndpoints[1]',
      'networks.vpc.gatewayEndpoints[2]',
      'ignoreTags.keys[0]',
      'ignoreTags.keyPrefixes[0]',
    ]);
  });

  it('rejects unknown fields (a typo is not silently ignored)', () => {
    expect(pathsOf({ ...valid(), sshPublickey: 'ssh-rsa AAAA' })).toEqual(['']);
  });

  it('has a JSON Schema', () => {
    const schema = awsInfrastructureConfigSchema.toJsonSchema();
    expect(JSON.stringify(schema)).toContain('elasticIPAllocationID');
  });
});

describe('AWS infrastructure config update', () => {
  it('allows adding a zone and changing mutable fields', () => {
    const next = valid();
    next.networks.zones.push({
      name: 'eu-west-1c',
      workers: '10.0.128.0/19',
      public: '10.0.160.0/20',
      internal: '10.0.176.0/20',
    });
    next.networks.vpc.gatewayEndpoints = [];
    next.sshPublicKey = 'ssh-ed25519 AAAA';
    expect(checkAwsInfrastructureConfigUpdate(valid(), next)).toEqual([]);
    expect(() => validateAwsInfrastructureConfigUpdate(valid(), next)).not.toThrow();
  });

  it('keeps the VPC, the zones and their CIDRs immutable', () => {
    const next = valid();
    next.networks.vpc.cidr = '10.0.0.0/15';
    next.nodesCidr = '10.0.0.0/15';
    next.networks.zones = [{ ...next.networks.zones[1]!, workers: '10.0.128.0/19' }];
    expect(checkAwsInfrastructureConfigUpdate(valid(), next).map((issue) => issue.path)).toEqual([
      'networks.vpc.cidr',
      'networks.zones',
      'networks.zones[0].workers',
    ]);
    expect(() => validateAwsInfrastructureConfigUpdate(valid(), next)).toThrow(
      /networks.vpc.cidr: is immutable/,
    );

    const byId = { ...valid(), networks: { ...valid().networks, vpc: { id: 'vpc-1' } } };
    const otherId = { ...valid(), networks: { ...valid().networks, vpc: { id: 'vpc-2' } } };
    expect(checkAwsInfrastructureConfigUpdate(byId, otherId).map((issue) => issue.path)).toEqual([
      'networks.vpc.id',
    ]);
  });
});
