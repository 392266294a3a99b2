import { allocatePrivateAddress } from './ec2-addressing.js';
import { applyFilters, paginate, selectByIds, tagFilterValues } from './ec2-describe.js';
import { ec2Error, notFoundError } from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeAddress, FakeNatGateway } from './ec2-fake-types.js';
import { type ActionHandler, RETURN_TRUE } from './ec2-handler.js';
import type { XmlObject } from './ec2-xml.js';

function addressXml(state: Ec2FakeState, address: FakeAddress): XmlObject {
  return {
    publicIp: address.publicIp,
    allocationId: address.allocationId,
    domain: address.domain,
    networkInterfaceId: address.associatedWith?.networkInterfaceId,
    instanceId: address.associatedWith?.instanceId,
    associationId: address.associatedWith ? `eipassoc-${address.allocationId.slice(9)}` : undefined,
    networkInterfaceOwnerId: address.associatedWith ? FAKE_ACCOUNT_ID : undefined,
    tagSet: state.tagSet(address.allocationId),
    publicIpv4Pool: 'amazon',
    networkBorderGroup: undefined,
  };
}

function natXml(state: Ec2FakeState, nat: FakeNatGateway): XmlObject {
  return {
    createTime: nat.createTime,
    deleteTime: nat.deleteTime,
    natGatewayAddressSet: [
      {
        allocationId: nat.allocationId,
        networkInterfaceId: nat.networkInterfaceId,
        privateIp: nat.privateIp,
        publicIp: nat.publicIp,
      },
    ],
    natGatewayId: nat.natGatewayId,
    state: nat.state,
    subnetId: nat.subnetId,
    vpcId: nat.vpcId,
    tagSet: state.tagSet(nat.natGatewayId),
    connectivityType: nat.connectivityType,
  };
}

/** Elastic IP addresses and NAT gateways. */
export const natGatewayHandlers: Record<string, ActionHandler> = {
  AllocateAddress({ params, state }) {
    const address: FakeAddress = {
      allocationId: state.newId('eipalloc'),
      publicIp: state.newPublicIp(),
      domain: params.string('Domain') ?? 'vpc',
    };
    state.addresses.set(address.allocationId, address);
    state.applyTagSpecifications(params.tagSpecifications(), { 'elastic-ip': [address.allocationId] });
    return {
      publicIp: address.publicIp,
      allocationId: address.allocationId,
      domain: address.domain,
      publicIpv4Pool: 'amazon',
    };
  },

  ReleaseAddress({ params, state }) {
    const allocationId = params.string('AllocationId');
    const publicIp = params.string('PublicIp');
    const address = allocationId
      ? state.addresses.get(allocationId)
      : [...state.addresses.values()].find((candidate) => candidate.publicIp === publicIp);
    if (!address) {
      if (allocationId) throw notFoundError([allocationId]);
      throw ec2Error('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);
    }
    if (address.associatedWith)
      throw ec2Error('InvalidIPAddress.InUse', `Address ${address.publicIp} is in use.`);
    state.addresses.delete(address.allocationId);
    state.tags.delete(address.allocationId);
    return RETURN_TRUE;
  },

  DescribeAddresses({ params, state }) {
    const byIps = params.strings('PublicIp');
    let addresses = selectByIds(state.addresses, params.strings('AllocationId'));
    if (byIps.length > 0) {
      const missing = byIps.filter((ip) => !addresses.some((address) => address.publicIp === ip));
      if (missing.length > 0)
        throw ec2Error('InvalidAddress.NotFound', `Address '${missing.join(', ')}' not found.`);
      addresses = addresses.filter((address) => byIps.includes(address.publicIp));
    }
    addresses = applyFilters(addresses, params.filters(), (address, name) => {
      const tags = tagFilterValues(state, address.allocationId, name);
      if (tags) return tags;
      if (name === 'allocation-id') return [address.allocationId];
      if (name === 'public-ip') return [address.publicIp];
      if (name === 'domain') return [address.domain];
      if (name === 'network-interface-id') return [address.associatedWith?.networkInterfaceId];
      if (name === 'instance-id') return [address.associatedWith?.instanceId];
      return undefined;
    });
    return { addressesSet: addresses.map((address) => addressXml(state, address)) };
  },

  CreateNatGateway({ params, state }) {
    const clientToken = params.string('ClientToken');
    const fingerprint = params.fingerprint(['ClientToken', 'Action', 'Version']);
    if (clientToken !== undefined) {
      const known = state.clientTokens.get(`CreateNatGateway:${clientToken}`);
      if (known && known.fingerprint !== fingerprint) {
        throw ec2Error(
          'IdempotentParameterMismatch',
          'The client token has already been used with different parameters.',
        );
      }
      const existing = known && state.natGateways.get(known.id);
      if (existing) return { clientToken, natGateway: natXml(state, existing) };
    }
    const subnetId = params.required('SubnetId');
    const subnet = state.subnets.get(subnetId);
    if (!subnet) throw notFoundError([subnetId]);
    const connectivityType = params.string('ConnectivityType') ?? 'public';
    const allocationId = params.string('AllocationId');
    let address: FakeAddress | undefined;
    if (connectivityType === 'public') {
      if (!allocationId)
        throw ec2Error('MissingParameter', 'The request must contain the parameter AllocationId');
      address = state.addresses.get(allocationId);
      if (!address) throw notFoundError([allocationId]);
      if (address.associatedWith) {
        throw ec2Error(
          'Resource.AlreadyAssociated',
          `Elastic IP address [${allocationId}] is already associated`,
        );
      }
    }
    const now = Date.now();
    const nat: FakeNatGateway = {
      natGatewayId: state.newId('nat'),
      subnetId,
      vpcId: subnet.vpcId,
      allocationId: address?.allocationId,
      publicIp: address?.publicIp,
      privateIp: allocatePrivateAddress(subnet, params.string('PrivateIpAddress')),
      networkInterfaceId: state.newId('eni'),
      connectivityType,
      state: 'pending',
      createTime: new Date(Math.floor(now / 1000) * 1000),
      createdAtMs: now,
    };
    state.networkInterfaces.set(nat.networkInterfaceId, {
      networkInterfaceId: nat.networkInterfaceId,
      attachmentId: state.newId('ela-attach'),
      deviceIndex: 1,
      subnetId,
      vpcId: subnet.vpcId,
      privateIpAddress: nat.privateIp,
      publicIpAddress: nat.publicIp,
      macAddress: state.newMacAddress(),
      groups: [],
      deleteOnTermination: false,
    });
    if (address)
      address.associatedWith = { natGatewayId: nat.natGatewayId, networkInterfaceId: nat.networkInterfaceId };
    state.natGateways.set(nat.natGatewayId, nat);
    state.applyTagSpecifications(params.tagSpecifications(), { natgateway: [nat.natGatewayId] });
    if (clientToken !== undefined) {
      state.clientTokens.set(`CreateNatGateway:${clientToken}`, { fingerprint, id: nat.natGatewayId });
    }
    return { clientToken, natGateway: natXml(state, nat) };
  },

  DeleteNatGateway({ params, state }) {
    const natGatewayId = params.required('NatGatewayId');
    const nat = state.natGateways.get(natGatewayId);
    if (!nat) throw notFoundError([natGatewayId]);
    if (nat.state === 'pending' || nat.state === 'available' || nat.state === 'failed') {
      const now = Date.now();
      nat.state = 'deleting';
      nat.deleteTime = new Date(Math.floor(now / 1000) * 1000);
      nat.deletionRequestedAtMs = now;
    }
    return { natGatewayId };
  },

  DescribeNatGateways({ params, state }) {
    const ids = params.strings('NatGatewayId');
    const gateways = applyFilters(selectByIds(state.natGateways, ids), params.filters(), (nat, name) => {
      const tags = tagFilterValues(state, nat.natGatewayId, name);
      if (tags) return tags;
      if (name === 'nat-gateway-id') return [nat.natGatewayId];
      if (name === 'state') return [nat.state];
      if (name === 'subnet-id') return [nat.subnetId];
      if (name === 'vpc-id') return [nat.vpcId];
      return undefined;
    });
    const page = paginate(gateways, params);
    return { natGatewaySet: page.items.map((nat) => natXml(state, nat)), nextToken: page.nextToken };
  },
};
