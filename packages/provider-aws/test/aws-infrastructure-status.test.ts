import { CLUSTER_TAG_PREFIX, type InfrastructureState } from '@trellis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsInfrastructureStatus } from '../src/aws-infrastructure-status.js';
import {
  type InfrastructureHarness,
  managedConfig,
  REGION,
  startInfrastructureHarness,
} from './aws-infrastructure-harness.js';

describe('AWS infrastructure reconcile of three zones (against the fake)', () => {
  let harness: InfrastructureHarness;
  const cluster = 'status-three-zones';
  const config = managedConfig(3);
  let status: AwsInfrastructureStatus;
  let state: InfrastructureState;

  beforeAll(async () => {
    harness = await startInfrastructureHarness();
    ({ status, state } = await harness.provider.reconcile({ cluster, region: REGION, config }));
  });
  afterAll(async () => {
    if (state) await harness.provider.delete({ cluster, region: REGION, config, state });
    await harness?.close();
  });

  it('makes one VPC with DNS support and hostnames and the configured CIDR', () => {
    const vpc = harness.fake.state.vpcs().find((candidate) => candidate.vpcId === status.networkId);
    expect(vpc).toMatchObject({ cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true });
    expect(vpc?.tags).toEqual({ Name: cluster, [`${CLUSTER_TAG_PREFIX}${cluster}`]: 'owned' });
    const dhcp = harness.fake.state
      .dhcpOptions()
      .find((options) => options.dhcpOptionsId === vpc?.dhcpOptionsId);
    expect(dhcp?.configurations).toContainEqual({
      key: 'domain-name',
      values: [`${REGION}.compute.internal`],
    });
  });

  it('makes nine subnets with the configured CIDRs in their zones', () => {
    const subnets = harness.fake.state.subnets().filter((subnet) => subnet.vpcId === status.networkId);
    expect(subnets).toHaveLength(9);
    expect(status.subnets).toHaveLength(3);
    config.networks.zones.forEach((zone, index) => {
      const reported = status.subnets.find((entry) => entry.zone === zone.name)!;
      const byId = (id: string | undefined) => subnets.find((subnet) => subnet.subnetId === id);
      expect(byId(reported.nodes)).toMatchObject({ cidrBlock: zone.workers, availabilityZone: zone.name });
      expect(byId(reported.public)).toMatchObject({ cidrBlock: zone.public, availabilityZone: zone.name });
      expect(byId(reported.internal)).toMatchObject({
        cidrBlock: zone.internal,
        availabilityZone: zone.name,
      });
      expect(byId(reported.nodes)?.tags.Name).toBe(`${cluster}-nodes-z${index}`);
      expect(byId(reported.public)?.tags['kubernetes.io/role/elb']).toBe('use');
    });
  });

  it('makes three available NAT gateways, each in its zone public subnet with its own elastic IP', () => {
    const gateways = harness.fake.state.natGateways().filter((gateway) => gateway.vpcId === status.networkId);
    expect(gateways).toHaveLength(3);
    expect(gateways.every((gateway) => gateway.state === 'available')).toBe(true);
    for (const zone of status.zones) {
      const gateway = gateways.find((candidate) => candidate.natGatewayId === zone.natGatewayId)!;
      const publicSubnet = status.subnets.find((entry) => entry.zone === zone.name)?.public;
      expect(gateway.subnetId).toBe(publicSubnet);
      expect(gateway.allocationId).toBe(zone.elasticIp?.allocationId);
    }
    const addresses = harness.fake.state.addresses().map((address) => address.publicIp);
    expect(status.egressAddresses).toHaveLength(3);
    expect(addresses).toEqual(expect.arrayContaining([...status.egressAddresses]));
  });

  it('routes 0.0.0.0/0 of private subnets to their zone NAT gateway and of public subnets to the internet gateway', () => {
    const tables = harness.fake.state.routeTables();
    const tableOf = (subnetId: string | undefined) =>
      tables.find((table) => table.associations.some((association) => association.subnetId === subnetId));
    const defaultRoute = (subnetId: string | undefined) =>
      tableOf(subnetId)?.routes.find((route) => route.destinationCidrBlock === '0.0.0.0/0');
    const gateway = harness.fake.state
      .internetGateways()
      .find((candidate) => candidate.attachedVpcId === status.vpcId);
    expect(gateway?.internetGatewayId).toBe(status.internetGatewayId);
    for (const zone of status.zones) {
      const subnets = status.subnets.find((entry) => entry.zone === zone.name)!;
      expect(defaultRoute(subnets.nodes)?.natGatewayId).toBe(zone.natGatewayId);
      expect(defaultRoute(subnets.internal)?.natGatewayId).toBe(zone.natGatewayId);
      expect(defaultRoute(subnets.public)?.gatewayId).toBe(status.internetGatewayId);
      expect(tableOf(subnets.nodes)?.routeTableId).toBe(zone.privateRouteTableId);
    }
  });

  it('makes the nodes security group with intra-group, NodePort and egress rules', () => {
    const group = harness.fake.state
      .securityGroups()
      .find((candidate) => candidate.groupId === status.securityGroupIds[0]);
    expect(group).toMatchObject({ groupName: `${cluster}-nodes`, vpcId: status.vpcId });
    expect(group?.ingress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ipProtocol: '-1', groupId: group?.groupId }),
        expect.objectContaining({ ipProtocol: 'tcp', fromPort: 30000, toPort: 32767, cidrIp: '0.0.0.0/0' }),
        expect.objectContaining({ ipProtocol: 'udp', fromPort: 30000, toPort: 32767, cidrIp: '0.0.0.0/0' }),
      ]),
    );
    expect(group?.egress).toContainEqual(expect.objectContaining({ ipProtocol: '-1', cidrIp: '0.0.0.0/0' }));
  });

  it('makes the IAM role with the EC2 trust policy, its policy and the instance profile holding it', () => {
    expect(status.identity).toBe(`${cluster}-nodes`);
    const role = harness.fake.state.roles().find((candidate) => candidate.roleName === status.iam?.roleName);
    expect(JSON.parse(role?.assumeRolePolicyDocument ?? '{}').Statement[0].Principal.Service).toBe(
      'ec2.amazonaws.com',
    );
    expect(Object.keys(role?.policies ?? {})).toEqual([`${cluster}-nodes`]);
    expect(role?.policies[`${cluster}-nodes`]).toContain('ecr:GetAuthorizationToken');
    const profile = harness.fake.state
      .instanceProfiles()
      .find((candidate) => candidate.instanceProfileName === status.identity);
    expect(profile?.roleNames).toEqual([status.iam?.roleName]);
    expect(status.iam?.instanceProfileArn).toBe(profile?.arn);
  });

  it('imports the SSH key and makes an S3 gateway endpoint on every route table', () => {
    const keyPair = harness.fake.state.keyPairs().find((candidate) => candidate.keyName === status.keyName);
    expect(keyPair?.publicKey.trim().split(' ').slice(0, 2)).toEqual(
      config.sshPublicKey!.split(' ').slice(0, 2),
    );
    const endpoint = harness.fake.state
      .vpcEndpoints()
      .find((candidate) => candidate.vpcEndpointId === status.vpcEndpoints.s3);
    expect(endpoint).toMatchObject({ serviceName: `com.amazonaws.${REGION}.s3`, vpcEndpointType: 'Gateway' });
    expect([...(endpoint?.routeTableIds ?? [])].sort()).toEqual(
      [status.publicRouteTableId, ...status.zones.map((zone) => zone.privateRouteTableId)].sort(),
    );
  });

  it('records every created resource as managed in the state', () => {
    const kinds = Object.values(state.resources).map((resource) => resource.kind);
    expect(kinds.filter((kind) => kind === 'subnet')).toHaveLength(9);
    expect(kinds.filter((kind) => kind === 'nat-gateway')).toHaveLength(3);
    expect(Object.values(state.resources).every((resource) => resource.managed === true)).toBe(true);
  });

  it('removes a key pair and a gateway endpoint dropped from the config on the next reconcile', async () => {
    const { sshPublicKey: _removed, ...withoutKey } = config;
    const next = { ...withoutKey, networks: { ...config.networks, vpc: { cidr: config.networks.vpc.cidr } } };
    const result = await harness.provider.reconcile({ cluster, region: REGION, config: next, state });
    state = result.state;
    expect(result.status.keyName).toBeUndefined();
    expect(harness.fake.state.keyPairs().some((keyPair) => keyPair.keyName === status.keyName)).toBe(false);
    expect(
      harness.fake.state.vpcEndpoints().some((endpoint) => endpoint.vpcEndpointId === status.vpcEndpoints.s3),
    ).toBe(false);
    expect(
      Object.keys(state.resources).some((key) => key.startsWith('vpc-endpoint/') || key === 'key-pair'),
    ).toBe(false);
  });
});
