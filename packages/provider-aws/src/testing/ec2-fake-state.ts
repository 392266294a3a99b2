import { randomBytes } from 'node:crypto';
import { notFoundError } from './ec2-errors.js';
import {
  DEFAULT_TRANSITION_DELAYS,
  type FakeAddress,
  type FakeDhcpOptions,
  type FakeIamInstanceProfile,
  type FakeIamRole,
  type FakeInstance,
  type FakeInternetGateway,
  type FakeKeyPair,
  type FakeNatGateway,
  type FakeNetworkInterface,
  type FakeReservation,
  type FakeRouteTable,
  type FakeSecurityGroup,
  type FakeSubnet,
  type FakeVolume,
  type FakeVpc,
  type FakeVpcEndpoint,
  type TransitionDelays,
} from './ec2-fake-types.js';

/** The account id the fake reports as owner. */
export const FAKE_ACCOUNT_ID = '123456789012';

/** Resource types EC2 uses in tag specifications and `DescribeTags`, by id prefix. */
const RESOURCE_TYPES: Record<string, string> = {
  i: 'instance',
  vol: 'volume',
  eni: 'network-interface',
  vpc: 'vpc',
  subnet: 'subnet',
  igw: 'internet-gateway',
  dopt: 'dhcp-options',
  eipalloc: 'elastic-ip',
  nat: 'natgateway',
  rtb: 'route-table',
  sg: 'security-group',
  key: 'key-pair',
  vpce: 'vpc-endpoint',
};

/** The EC2 resource type of an id (`vpc-0abc` → `vpc`). */
export function resourceTypeOf(id: string): string | undefined {
  return RESOURCE_TYPES[id.split('-')[0] ?? ''];
}

/** Everything the fake holds: EC2 resources, tags, IAM entities, idempotency tokens, delays. */
export class Ec2FakeState {
  readonly instances = new Map<string, FakeInstance>();
  readonly reservations = new Map<string, FakeReservation>();
  readonly volumes = new Map<string, FakeVolume>();
  readonly networkInterfaces = new Map<string, FakeNetworkInterface>();
  readonly vpcs = new Map<string, FakeVpc>();
  readonly subnets = new Map<string, FakeSubnet>();
  readonly internetGateways = new Map<string, FakeInternetGateway>();
  readonly dhcpOptions = new Map<string, FakeDhcpOptions>();
  readonly addresses = new Map<string, FakeAddress>();
  readonly natGateways = new Map<string, FakeNatGateway>();
  readonly routeTables = new Map<string, FakeRouteTable>();
  readonly securityGroups = new Map<string, FakeSecurityGroup>();
  readonly keyPairs = new Map<string, FakeKeyPair>();
  readonly vpcEndpoints = new Map<string, FakeVpcEndpoint>();
  readonly roles = new Map<string, FakeIamRole>();
  readonly instanceProfiles = new Map<string, FakeIamInstanceProfile>();
  /** Tags by resource id, in insertion order. */
  readonly tags = new Map<string, Map<string, string>>();
  /** Client tokens of idempotent creates (NAT gateways, VPC endpoints): token → [fingerprint, id]. */
  readonly clientTokens = new Map<string, { fingerprint: string; id: string }>();
  delays: TransitionDelays = { ...DEFAULT_TRANSITION_DELAYS };
  readonly defaultDhcpOptionsId: string;
  #publicAddressCounter = 1;

  constructor() {
    this.defaultDhcpOptionsId = this.newId('dopt');
    this.dhcpOptions.set(this.defaultDhcpOptionsId, {
      dhcpOptionsId: this.defaultDhcpOptionsId,
      configurations: [{ key: 'domain-name-servers', values: ['AmazonProvidedDNS'] }],
      isDefault: true,
    });
  }

  /** A new EC2-style id: prefix and 17 hex digits. */
  newId(prefix: string): string {
    return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
  }

  /** A new public IPv4 address from the documentation ranges (never routable). */
  newPublicIp(): string {
    const n = this.#publicAddressCounter++;
    return `198.51.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  }

  /** A new MAC address. */
  newMacAddress(): string {
    return `02:${[...randomBytes(5)].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
  }

  /**
   * Advances every time-driven transition (instances, NAT gateways) to `now`, with the current
   * delays, so changing the delays also speeds up or holds transitions already in flight.
   */
  refresh(now = Date.now()): void {
    const delays = this.delays;
    for (const instance of this.instances.values()) {
      if (instance.state === 'pending' && now >= instance.launchedAtMs + delays.pendingMs)
        instance.state = 'running';
      const requested = instance.terminationRequestedAtMs;
      if (
        instance.state === 'shutting-down' &&
        requested !== undefined &&
        now >= requested + delays.shuttingDownMs
      ) {
        this.#finishTermination(instance, requested + delays.shuttingDownMs);
      }
      const terminated = instance.terminatedAtMs;
      if (
        instance.state === 'terminated' &&
        terminated !== undefined &&
        now >= terminated + delays.terminatedRetentionMs
      ) {
        this.instances.delete(instance.instanceId);
        this.tags.delete(instance.instanceId);
      }
    }
    for (const nat of this.natGateways.values()) {
      if (nat.state === 'pending' && now >= nat.createdAtMs + delays.natGatewayPendingMs)
        nat.state = 'available';
      const requested = nat.deletionRequestedAtMs;
      if (
        nat.state === 'deleting' &&
        requested !== undefined &&
        now >= requested + delays.natGatewayDeletingMs
      ) {
        nat.state = 'deleted';
        nat.deletedAtMs = requested + delays.natGatewayDeletingMs;
        this.networkInterfaces.delete(nat.networkInterfaceId);
        this.subnets.get(nat.subnetId)?.usedAddresses.delete(nat.privateIp);
        if (nat.allocationId) {
          const address = this.addresses.get(nat.allocationId);
          if (address) address.associatedWith = undefined;
        }
      }
      const deleted = nat.deletedAtMs;
      if (nat.state === 'deleted' && deleted !== undefined && now >= deleted + delays.terminatedRetentionMs) {
        this.natGateways.delete(nat.natGatewayId);
        this.tags.delete(nat.natGatewayId);
      }
    }
  }

  #finishTermination(instance: FakeInstance, at: number): void {
    instance.state = 'terminated';
    instance.terminatedAtMs = at;
    for (const device of instance.blockDevices) {
      const volume = this.volumes.get(device.volumeId);
      if (!volume) continue;
      if (device.deleteOnTermination) {
        this.volumes.delete(volume.volumeId);
        this.tags.delete(volume.volumeId);
      } else {
        volume.instanceId = undefined;
        volume.deviceName = undefined;
      }
    }
    for (const networkInterface of instance.networkInterfaces) {
      if (networkInterface.subnetId) {
        this.subnets.get(networkInterface.subnetId)?.usedAddresses.delete(networkInterface.privateIpAddress);
      }
      if (networkInterface.deleteOnTermination) {
        this.networkInterfaces.delete(networkInterface.networkInterfaceId);
        this.tags.delete(networkInterface.networkInterfaceId);
      } else {
        const stored = this.networkInterfaces.get(networkInterface.networkInterfaceId);
        if (stored) stored.instanceId = undefined;
      }
    }
    instance.networkInterfaces = [];
    instance.publicIpAddress = undefined;
    instance.privateIpAddress = undefined;
    instance.stateTransitionReason = 'User initiated';
  }

  /** True when the id names a resource the fake holds (terminated instances included). */
  exists(id: string): boolean {
    return this.#mapOf(id)?.has(id) ?? false;
  }

  #mapOf(id: string): Map<string, unknown> | undefined {
    switch (resourceTypeOf(id)) {
      case 'instance':
        return this.instances;
      case 'volume':
        return this.volumes;
      case 'network-interface':
        return this.networkInterfaces;
      case 'vpc':
        return this.vpcs;
      case 'subnet':
        return this.subnets;
      case 'internet-gateway':
        return this.internetGateways;
      case 'dhcp-options':
        return this.dhcpOptions;
      case 'elastic-ip':
        return this.addresses;
      case 'natgateway':
        return this.natGateways;
      case 'route-table':
        return this.routeTables;
      case 'security-group':
        return this.securityGroups;
      case 'key-pair':
        return new Map([...this.keyPairs.values()].map((keyPair) => [keyPair.keyPairId, keyPair]));
      case 'vpc-endpoint':
        return this.vpcEndpoints;
      default:
        return undefined;
    }
  }

  /** The tags of a resource as a plain object. */
  tagsOf(id: string): Record<string, string> {
    return Object.fromEntries(this.tags.get(id) ?? []);
  }

  /** EC2's `tagSet` of a resource. */
  tagSet(id: string): Array<{ key: string; value: string }> {
    return [...(this.tags.get(id) ?? [])].map(([key, value]) => ({ key, value }));
  }

  /** Sets tags on a resource, which must exist. */
  setTags(id: string, tags: Array<{ key: string; value: string }>): void {
    if (!this.exists(id)) throw notFoundError([id]);
    let map = this.tags.get(id);
    if (!map) {
      map = new Map();
      this.tags.set(id, map);
    }
    for (const { key, value } of tags) map.set(key, value);
  }

  /** Removes a resource's tags (all of them, or those named; with a value, only on a match). */
  deleteTags(id: string, tags: Array<{ key: string; value?: string }>): void {
    if (!this.exists(id)) throw notFoundError([id]);
    const map = this.tags.get(id);
    if (!map) return;
    if (tags.length === 0) map.clear();
    for (const { key, value } of tags) {
      if (value === undefined || map.get(key) === value) map.delete(key);
    }
  }

  /** Applies the tag specifications of a create to the resources of their resource type. */
  applyTagSpecifications(
    specifications: Array<{ resourceType: string; tags: Array<{ key: string; value: string }> }>,
    idsByType: Record<string, string[]>,
  ): void {
    for (const specification of specifications) {
      for (const id of idsByType[specification.resourceType] ?? []) this.setTags(id, specification.tags);
    }
  }

  /** Ids of every live resource of any type (terminated instances and deleted NAT gateways excluded). */
  resources(): string[] {
    const ids: string[] = [];
    for (const instance of this.instances.values())
      if (instance.state !== 'terminated') ids.push(instance.instanceId);
    ids.push(
      ...this.volumes.keys(),
      ...this.networkInterfaces.keys(),
      ...this.vpcs.keys(),
      ...this.subnets.keys(),
    );
    ids.push(...this.internetGateways.keys(), ...this.dhcpOptions.keys(), ...this.addresses.keys());
    for (const nat of this.natGateways.values()) if (nat.state !== 'deleted') ids.push(nat.natGatewayId);
    ids.push(...this.routeTables.keys(), ...this.securityGroups.keys());
    for (const keyPair of this.keyPairs.values()) ids.push(keyPair.keyPairId);
    ids.push(...this.vpcEndpoints.keys());
    for (const role of this.roles.values()) {
      ids.push(role.arn);
      for (const policyName of role.policies.keys()) ids.push(`${role.arn}/policy/${policyName}`);
    }
    for (const profile of this.instanceProfiles.values()) ids.push(profile.arn);
    return ids;
  }
}
