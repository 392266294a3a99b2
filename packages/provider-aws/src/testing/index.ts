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
