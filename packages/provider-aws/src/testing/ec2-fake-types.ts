/** EC2 instance states, with EC2's state codes. */
export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'shutting-down'
  | 'terminated'
  | 'stopping'
  | 'stopped';

export const INSTANCE_STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** How long the fake's resources stay in their transitional states (applied to transitions in flight too). */
export interface TransitionDelays {
  /** pending → running. @default 50 */
  pendingMs: number;
  /** shutting-down → terminated. @default 100 */
  shuttingDownMs: number;
  /** How long a terminated instance (or deleted NAT gateway) stays visible in describes. @default 60_000 */
  terminatedRetentionMs: number;
  /** NAT gateway pending → available. @default 50 */
  natGatewayPendingMs: number;
  /** NAT gateway deleting → deleted. @default 50 */
  natGatewayDeletingMs: number;
}

export const DEFAULT_TRANSITION_DELAYS: TransitionDelays = {
  pendingMs: 50,
  shuttingDownMs: 100,
  terminatedRetentionMs: 60_000,
  natGatewayPendingMs: 50,
  natGatewayDeletingMs: 50,
};

export interface FakeSecurityGroupRef {
  groupId: string;
  groupName: string;
}

export interface FakeBlockDevice {
  deviceName: string;
  volumeId: string;
  deleteOnTermination: boolean;
  volumeSize: number;
  volumeType: string;
  iops?: number;
  throughput?: number;
  encrypted: boolean;
  kmsKeyId?: string;
}

export interface FakeNetworkInterface {
  networkInterfaceId: string;
  attachmentId: string;
  deviceIndex: number;
  subnetId?: string;
  vpcId?: string;
  privateIpAddress: string;
  publicIpAddress?: string;
  macAddress: string;
  groups: FakeSecurityGroupRef[];
  deleteOnTermination: boolean;
  instanceId?: string;
}

export interface FakeVolume {
  volumeId: string;
  size: number;
  volumeType: string;
  availabilityZone: string;
  encrypted: boolean;
  instanceId?: string;
  deviceName?: string;
  createTime: Date;
}

/** An instance as the fake holds it (`state.instances()` returns copies). */
export interface FakeInstance {
  instanceId: string;
  reservationId: string;
  amiLaunchIndex: number;
  imageId: string;
  instanceType: string;
  keyName?: string;
  launchTime: Date;
  availabilityZone: string;
  tenancy: string;
  subnetId?: string;
  vpcId?: string;
  privateIpAddress?: string;
  publicIpAddress?: string;
  securityGroups: FakeSecurityGroupRef[];
  /** User data as sent (base64). */
  userData?: string;
  clientToken?: string;
  iamInstanceProfile?: { arn: string; id: string };
  blockDevices: FakeBlockDevice[];
  networkInterfaces: FakeNetworkInterface[];
  rootDeviceName: string;
  sourceDestCheck: boolean;
  state: InstanceStateName;
  stateTransitionReason: string;
  instanceLifecycle?: 'spot';
  metadataOptions?: { httpTokens: string; httpPutResponseHopLimit: number; httpEndpoint: string };
  cpuOptions?: { coreCount: number; threadsPerCore: number };
  capacityReservationPreference?: string;
  /** When it was launched (ms); pending turns running `delays.pendingMs` later. */
  launchedAtMs: number;
  /** When termination was asked for (ms); shutting-down turns terminated `delays.shuttingDownMs` later. */
  terminationRequestedAtMs?: number;
  /** When it became terminated (ms); it disappears `delays.terminatedRetentionMs` later. */
  terminatedAtMs?: number;
}

export interface FakeReservation {
  reservationId: string;
  instanceIds: string[];
  clientToken?: string;
  fingerprint?: string;
}

export interface FakeVpc {
  vpcId: string;
  cidrBlock: string;
  cidrAssociationId: string;
  dhcpOptionsId: string;
  instanceTenancy: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  mainRouteTableId: string;
  defaultSecurityGroupId: string;
}

export interface FakeSubnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  mapPublicIpOnLaunch: boolean;
  usedAddresses: Set<string>;
}

export interface FakeInternetGateway {
  internetGatewayId: string;
  attachedVpcId?: string;
}

export interface FakeDhcpOptions {
  dhcpOptionsId: string;
  configurations: Array<{ key: string; values: string[] }>;
  isDefault: boolean;
}

export interface FakeAddress {
  allocationId: string;
  publicIp: string;
  domain: string;
  associatedWith?: { natGatewayId?: string; networkInterfaceId?: string; instanceId?: string };
}

export type NatGatewayState = 'pending' | 'available' | 'deleting' | 'deleted' | 'failed';

export interface FakeNatGateway {
  natGatewayId: string;
  subnetId: string;
  vpcId: string;
  allocationId?: string;
  publicIp?: string;
  privateIp: string;
  networkInterfaceId: string;
  connectivityType: string;
  state: NatGatewayState;
  createTime: Date;
  deleteTime?: Date;
  /** When it was created (ms); pending turns available `delays.natGatewayPendingMs` later. */
  createdAtMs: number;
  /** When deletion was asked for (ms); deleting turns deleted `delays.natGatewayDeletingMs` later. */
  deletionRequestedAtMs?: number;
  /** When it became deleted (ms); it disappears `delays.terminatedRetentionMs` later. */
  deletedAtMs?: number;
}

export interface FakeRoute {
  destinationCidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  instanceId?: string;
  networkInterfaceId?: string;
  vpcPeeringConnectionId?: string;
  transitGatewayId?: string;
  origin: 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation';
}

export interface FakeRouteTableAssociation {
  associationId: string;
  subnetId?: string;
  gatewayId?: string;
  main: boolean;
}

export interface FakeRouteTable {
  routeTableId: string;
  vpcId: string;
  routes: FakeRoute[];
  associations: FakeRouteTableAssociation[];
}

/** One security group rule: one protocol/port range and one source (or destination, for egress). */
export interface FakeSecurityGroupRule {
  securityGroupRuleId: string;
  /** `tcp`, `udp`, `icmp`, `icmpv6` or `-1` (all). */
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIp?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  /** A referenced security group. */
  groupId?: string;
  description?: string;
}

export interface FakeSecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId?: string;
  ingress: FakeSecurityGroupRule[];
  egress: FakeSecurityGroupRule[];
}

export interface FakeKeyPair {
  keyPairId: string;
  keyName: string;
  keyFingerprint: string;
  keyType: string;
  publicKey: string;
  createTime: Date;
}

export interface FakeVpcEndpoint {
  vpcEndpointId: string;
  vpcEndpointType: string;
  vpcId: string;
  serviceName: string;
  routeTableIds: string[];
  subnetIds: string[];
  securityGroupIds: string[];
  policyDocument: string;
  state: string;
  creationTimestamp: Date;
  clientToken?: string;
}

export interface FakeIamRole {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  assumeRolePolicyDocument: string;
  description?: string;
  createDate: Date;
  /** Inline policies by name. */
  policies: Map<string, string>;
  /** ARNs of attached managed policies. */
  attachedPolicies: string[];
  tags: Array<{ key: string; value: string }>;
}

export interface FakeIamInstanceProfile {
  instanceProfileName: string;
  instanceProfileId: string;
  arn: string;
  path: string;
  roleNames: string[];
  createDate: Date;
  tags: Array<{ key: string; value: string }>;
}
