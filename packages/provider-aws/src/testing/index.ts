/**
 * `@trellis/provider-aws/testing`: an offline EC2 + IAM fake for tests, speaking EC2's query/XML
 * wire protocol (and IAM's, on the same endpoint) on 127.0.0.1.
 *
 * ```ts
 * const fake = await startEc2Fake({ region: 'eu-west-1' });
 * const ec2 = new EC2Client({ endpoint: fake.url, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
 * fake.faults.add({ kind: 'lost-response', actions: ['RunInstances'], times: 1 });
 * // ... exercise your code, then assert on fake.state.instances(), fake.state.resources(), fake.calls.count('RunInstances')
 * await fake.close();
 * ```
 *
 * Signatures are not verified; any credentials work. Resources start empty (no default VPC): an
 * instance launched without a subnet gets no VPC. IAM returns policy documents URL-encoded, as AWS does.
 *
 * @packageDocumentation
 */
export { fakeDefinition } from './aws-fake-definition.js';
export type {
  Ec2FakeInspector,
  Inspected,
  InspectedInstanceProfile,
  InspectedRole,
} from './ec2-fake-inspector.js';
export { type Ec2Fake, type Ec2FakeOptions, type InjectedError, startEc2Fake } from './ec2-fake-server.js';
export type {
  FakeAddress,
  FakeBlockDevice,
  FakeDhcpOptions,
  FakeInstance,
  FakeInternetGateway,
  FakeKeyPair,
  FakeNatGateway,
  FakeNetworkInterface,
  FakeRoute,
  FakeRouteTable,
  FakeRouteTableAssociation,
  FakeSecurityGroup,
  FakeSecurityGroupRef,
  FakeSecurityGroupRule,
  FakeSubnet,
  FakeVolume,
  FakeVpc,
  FakeVpcEndpoint,
  InstanceStateName,
  NatGatewayState,
  TransitionDelays,
} from './ec2-fake-types.js';
export type { FakeImage } from './ec2-images.js';
export {
  EC2_FAKE_DEFAULT_REQUEST_LIMITS,
  type FakeRequestLimits,
  type FakeTokenBucketLimit,
} from './ec2-request-limits.js';
