import type { Ec2FakeState } from './ec2-fake-state.js';
import type {
  FakeAddress,
  FakeDhcpOptions,
  FakeInstance,
  FakeInternetGateway,
  FakeKeyPair,
  FakeNatGateway,
  FakeNetworkInterface,
  FakeRouteTable,
  FakeSecurityGroup,
  FakeSubnet,
  FakeVolume,
  FakeVpc,
  FakeVpcEndpoint,
} from './ec2-fake-types.js';

/** A resource as inspected from a test: a copy of the fake's record plus its tags. */
export type Inspected<T> = T & { tags: Record<string, string> };

/** An IAM role as inspected from a test. */
export interface InspectedRole {
  roleName: string;
  arn: string;
  assumeRolePolicyDocument: string;
  /** Inline policies by name. */
  policies: Record<string, string>;
  /** ARNs of attached managed policies. */
  attachedPolicies: string[];
}

/** An IAM instance profile as inspected from a test. */
export interface InspectedInstanceProfile {
  instanceProfileName: string;
  arn: string;
  roleNames: string[];
}

/** Read-only views of what the fake holds, for assertions; every call returns fresh copies. */
export interface Ec2FakeInspector {
  /** Every instance still visible (terminated ones for a while, as in EC2), with decoded user data. */
  instances(): Array<Inspected<FakeInstance> & { userDataText?: string }>;
  /** One instance, or undefined. */
  instance(instanceId: string): (Inspected<FakeInstance> & { userDataText?: string }) | undefined;
  /** Ids of every live resource of any type (instances not terminated, volumes, network interfaces,
   *  VPCs, subnets, gateways, DHCP options, addresses, NAT gateways not deleted, route tables, security
   *  groups, key pairs, VPC endpoints, IAM roles and instance profiles by ARN) — for inventory checks. */
  resources(): string[];
  /** The tags of any resource. */
  tagsOf(resourceId: string): Record<string, string>;
  volumes(): Array<Inspected<FakeVolume>>;
  networkInterfaces(): Array<Inspected<FakeNetworkInterface>>;
  vpcs(): Array<Inspected<FakeVpc>>;
  subnets(): Array<Inspected<Omit<FakeSubnet, 'usedAddresses'>>>;
  internetGateways(): Array<Inspected<FakeInternetGateway>>;
  dhcpOptions(): Array<Inspected<FakeDhcpOptions>>;
  addresses(): Array<Inspected<FakeAddress>>;
  natGateways(): Array<Inspected<FakeNatGateway>>;
  routeTables(): Array<Inspected<FakeRouteTable>>;
  securityGroups(): Array<Inspected<FakeSecurityGroup>>;
  keyPairs(): Array<Inspected<FakeKeyPair>>;
  vpcEndpoints(): Array<Inspected<FakeVpcEndpoint>>;
  roles(): InspectedRole[];
  instanceProfiles(): InspectedInstanceProfile[];
}

export function createInspector(state: Ec2FakeState): Ec2FakeInspector {
  const view = <T extends object>(records: Iterable<T>, idOf: (record: T) => string): Array<Inspected<T>> => {
    state.refresh();
    return [...records].map((record) => ({ ...structuredClone(record), tags: state.tagsOf(idOf(record)) }));
  };
  const instanceView = (instance: FakeInstance) => ({
    ...structuredClone(instance),
    tags: state.tagsOf(instance.instanceId),
    userDataText:
      instance.userData === undefined ? undefined : Buffer.from(instance.userData, 'base64').toString('utf8'),
  });
  return {
    instances() {
      state.refresh();
      return [...state.instances.values()].map(instanceView);
    },
    instance(instanceId) {
      state.refresh();
      const instance = state.instances.get(instanceId);
      return instance ? instanceView(instance) : undefined;
    },
    resources() {
      state.refresh();
      return state.resources();
    },
    tagsOf: (resourceId) => state.tagsOf(resourceId),
    volumes: () => view(state.volumes.values(), (volume) => volume.volumeId),
    networkInterfaces: () => view(state.networkInterfaces.values(), (item) => item.networkInterfaceId),
    vpcs: () => view(state.vpcs.values(), (vpc) => vpc.vpcId),
    subnets: () =>
      view(
        [...state.subnets.values()].map(({ usedAddresses: _used, ...subnet }) => subnet),
        (subnet) => subnet.subnetId,
      ),
    internetGateways: () => view(state.internetGateways.values(), (gateway) => gateway.internetGatewayId),
    dhcpOptions: () => view(state.dhcpOptions.values(), (options) => options.dhcpOptionsId),
    addresses: () => view(state.addresses.values(), (address) => address.allocationId),
    natGateways: () => view(state.natGateways.values(), (gateway) => gateway.natGatewayId),
    routeTables: () => view(state.routeTables.values(), (table) => table.routeTableId),
    securityGroups: () => view(state.securityGroups.values(), (group) => group.groupId),
    keyPairs: () => view(state.keyPairs.values(), (keyPair) => keyPair.keyPairId),
    vpcEndpoints: () => view(state.vpcEndpoints.values(), (endpoint) => endpoint.vpcEndpointId),
    roles: () =>
      [...state.roles.values()].map((role) => ({
        roleName: role.roleName,
        arn: role.arn,
        assumeRolePolicyDocument: role.assumeRolePolicyDocument,
        policies: Object.fromEntries(role.policies),
        attachedPolicies: [...role.attachedPolicies],
      })),
    instanceProfiles: () =>
      [...state.instanceProfiles.values()].map((profile) => ({
        instanceProfileName: profile.instanceProfileName,
        arn: profile.arn,
        roleNames: [...profile.roleNames],
      })),
  };
}
