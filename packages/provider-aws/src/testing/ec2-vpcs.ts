import { cidrContains, cidrOverlaps, parseCidr } from '@trellis/core';
import { availableAddressCount } from './ec2-addressing.js';
import { applyFilters, paginate, selectByIds, tagFilterValues } from './ec2-describe.js';
import { dependencyViolation, ec2Error, invalidParameterValue, notFoundError } from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeSubnet, FakeVpc } from './ec2-fake-types.js';
import { type ActionHandler, RETURN_TRUE, zonesOf } from './ec2-handler.js';
import type { XmlObject } from './ec2-xml.js';

function vpcOf(state: Ec2FakeState, vpcId: string): FakeVpc {
  const vpc = state.vpcs.get(vpcId);
  if (!vpc) throw notFoundError([vpcId]);
  return vpc;
}

function parseBlock(text: string, code: string) {
  try {
    return parseCidr(text);
  } catch {
    throw ec2Error(code, `The CIDR '${text}' is invalid.`);
  }
}

function vpcXml(state: Ec2FakeState, vpc: FakeVpc): XmlObject {
  return {
    vpcId: vpc.vpcId,
    ownerId: FAKE_ACCOUNT_ID,
    state: 'available',
    cidrBlock: vpc.cidrBlock,
    cidrBlockAssociationSet: [
      {
        cidrBlock: vpc.cidrBlock,
        associationId: vpc.cidrAssociationId,
        cidrBlockState: { state: 'associated' },
      },
    ],
    ipv6CidrBlockAssociationSet: [],
    dhcpOptionsId: vpc.dhcpOptionsId,
    tagSet: state.tagSet(vpc.vpcId),
    instanceTenancy: vpc.instanceTenancy,
    isDefault: false,
  };
}

function subnetXml(state: Ec2FakeState, subnet: FakeSubnet, region: string): XmlObject {
  return {
    subnetId: subnet.subnetId,
    subnetArn: `arn:aws:ec2:${region}:${FAKE_ACCOUNT_ID}:subnet/${subnet.subnetId}`,
    state: 'available',
    ownerId: FAKE_ACCOUNT_ID,
    vpcId: subnet.vpcId,
    cidrBlock: subnet.cidrBlock,
    ipv6CidrBlockAssociationSet: [],
    availableIpAddressCount: availableAddressCount(subnet),
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: `${subnet.availabilityZone.replace(/-/g, '').slice(0, 4)}-az${'abcdef'.indexOf(subnet.availabilityZone.slice(-1)) + 1}`,
    defaultForAz: false,
    mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
    assignIpv6AddressOnCreation: false,
    tagSet: state.tagSet(subnet.subnetId),
    ipv6Native: false,
    privateDnsNameOptionsOnLaunch: {
      hostnameType: 'ip-name',
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
  };
}

/** CreateVpc also creates the VPC's main route table and its default security group, as EC2 does. */
function createVpc(state: Ec2FakeState, cidrBlock: string, tenancy: string): FakeVpc {
  const cidr = parseBlock(cidrBlock, 'InvalidVpc.Range');
  if (cidr.version !== 4 || cidr.prefixLength < 16 || cidr.prefixLength > 28) {
    throw ec2Error('InvalidVpc.Range', `The CIDR '${cidrBlock}' is invalid.`);
  }
  const vpcId = state.newId('vpc');
  const vpc: FakeVpc = {
    vpcId,
    cidrBlock: cidr.canonical,
    cidrAssociationId: state.newId('vpc-cidr-assoc'),
    dhcpOptionsId: state.defaultDhcpOptionsId,
    instanceTenancy: tenancy,
    enableDnsSupport: true,
    enableDnsHostnames: false,
    mainRouteTableId: state.newId('rtb'),
    defaultSecurityGroupId: state.newId('sg'),
  };
  state.vpcs.set(vpcId, vpc);
  state.routeTables.set(vpc.mainRouteTableId, {
    routeTableId: vpc.mainRouteTableId,
    vpcId,
    routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable' }],
    associations: [{ associationId: state.newId('rtbassoc'), main: true }],
  });
  state.securityGroups.set(vpc.defaultSecurityGroupId, {
    groupId: vpc.defaultSecurityGroupId,
    groupName: 'default',
    description: 'default VPC security group',
    vpcId,
    ingress: [
      { securityGroupRuleId: state.newId('sgr'), ipProtocol: '-1', groupId: vpc.defaultSecurityGroupId },
    ],
    egress: [{ securityGroupRuleId: state.newId('sgr'), ipProtocol: '-1', cidrIp: '0.0.0.0/0' }],
  });
  return vpc;
}

/** CreateVpc, DeleteVpc, DescribeVpcs, Modify/DescribeVpcAttribute, and the subnet actions. */
export const vpcHandlers: Record<string, ActionHandler> = {
  CreateVpc({ params, state }) {
    const vpc = createVpc(state, params.required('CidrBlock'), params.string('InstanceTenancy') ?? 'default');
    state.applyTagSpecifications(params.tagSpecifications(), { vpc: [vpc.vpcId] });
    return { vpc: vpcXml(state, vpc) };
  },

  DeleteVpc({ params, state }) {
    const vpc = vpcOf(state, params.required('VpcId'));
    const blockers = [
      ...[...state.subnets.values()]
        .filter((subnet) => subnet.vpcId === vpc.vpcId)
        .map((subnet) => subnet.subnetId),
      ...[...state.internetGateways.values()]
        .filter((gateway) => gateway.attachedVpcId === vpc.vpcId)
        .map((gateway) => gateway.internetGatewayId),
      ...[...state.securityGroups.values()]
        .filter((group) => group.vpcId === vpc.vpcId && group.groupId !== vpc.defaultSecurityGroupId)
        .map((group) => group.groupId),
      ...[...state.routeTables.values()]
        .filter((table) => table.vpcId === vpc.vpcId && table.routeTableId !== vpc.mainRouteTableId)
        .map((table) => table.routeTableId),
      ...[...state.vpcEndpoints.values()]
        .filter((endpoint) => endpoint.vpcId === vpc.vpcId && endpoint.state !== 'deleted')
        .map((endpoint) => endpoint.vpcEndpointId),
    ];
    if (blockers.length > 0) {
      throw dependencyViolation(
        `The vpc '${vpc.vpcId}' has dependencies and cannot be deleted. (${blockers.join(', ')})`,
      );
    }
    for (const id of [vpc.vpcId, vpc.mainRouteTableId, vpc.defaultSecurityGroupId]) state.tags.delete(id);
    state.routeTables.delete(vpc.mainRouteTableId);
    state.securityGroups.delete(vpc.defaultSecurityGroupId);
    state.vpcs.delete(vpc.vpcId);
    return RETURN_TRUE;
  },

  DescribeVpcs({ params, state }) {
    const ids = params.strings('VpcId');
    const vpcs = applyFilters(selectByIds(state.vpcs, ids), params.filters(), (vpc, name) => {
      const tags = tagFilterValues(state, vpc.vpcId, name);
      if (tags) return tags;
      switch (name) {
        case 'vpc-id':
          return [vpc.vpcId];
        case 'cidr':
        case 'cidr-block-association.cidr-block':
          return [vpc.cidrBlock];
        case 'state':
          return ['available'];
        case 'is-default':
          return ['false'];
        case 'dhcp-options-id':
          return [vpc.dhcpOptionsId];
        case 'owner-id':
          return [FAKE_ACCOUNT_ID];
        default:
          return undefined;
      }
    });
    const page = paginate(vpcs, params);
    return { vpcSet: page.items.map((vpc) => vpcXml(state, vpc)), nextToken: page.nextToken };
  },

  ModifyVpcAttribute({ params, state }) {
    const vpc = vpcOf(state, params.required('VpcId'));
    const support = params.child('EnableDnsSupport')?.bool('Value');
    const hostnames = params.child('EnableDnsHostnames')?.bool('Value');
    if ((support === undefined) === (hostnames === undefined)) {
      throw ec2Error('InvalidParameterCombination', 'Exactly one attribute may be modified per request.');
    }
    if (support !== undefined) vpc.enableDnsSupport = support;
    if (hostnames !== undefined) vpc.enableDnsHostnames = hostnames;
    return RETURN_TRUE;
  },

  DescribeVpcAttribute({ params, state }) {
    const vpc = vpcOf(state, params.required('VpcId'));
    const attribute = params.required('Attribute');
    if (attribute === 'enableDnsSupport')
      return { vpcId: vpc.vpcId, enableDnsSupport: { value: vpc.enableDnsSupport } };
    if (attribute === 'enableDnsHostnames') {
      return { vpcId: vpc.vpcId, enableDnsHostnames: { value: vpc.enableDnsHostnames } };
    }
    throw invalidParameterValue(
      `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
    );
  },

  CreateSubnet({ params, state, region }) {
    const vpc = vpcOf(state, params.required('VpcId'));
    const text = params.required('CidrBlock');
    const cidr = parseBlock(text, 'InvalidSubnet.Range');
    if (
      cidr.version !== 4 ||
      cidr.prefixLength < 16 ||
      cidr.prefixLength > 28 ||
      !cidrContains(vpc.cidrBlock, cidr)
    ) {
      throw ec2Error('InvalidSubnet.Range', `The CIDR '${text}' is invalid.`);
    }
    for (const subnet of state.subnets.values()) {
      if (subnet.vpcId === vpc.vpcId && cidrOverlaps(subnet.cidrBlock, cidr)) {
        throw ec2Error('InvalidSubnet.Conflict', `The CIDR '${text}' conflicts with another subnet`);
      }
    }
    const zones = zonesOf(region);
    const zone = params.string('AvailabilityZone') ?? zones[0]!;
    if (!zones.includes(zone)) {
      throw invalidParameterValue(
        `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(', ')}.`,
      );
    }
    const subnet: FakeSubnet = {
      subnetId: state.newId('subnet'),
      vpcId: vpc.vpcId,
      cidrBlock: cidr.canonical,
      availabilityZone: zone,
      mapPublicIpOnLaunch: false,
      usedAddresses: new Set(),
    };
    state.subnets.set(subnet.subnetId, subnet);
    state.applyTagSpecifications(params.tagSpecifications(), { subnet: [subnet.subnetId] });
    return { subnet: subnetXml(state, subnet, region) };
  },

  DeleteSubnet({ params, state }) {
    const subnetId = params.required('SubnetId');
    if (!state.subnets.has(subnetId)) throw notFoundError([subnetId]);
    const blockers = [
      ...[...state.networkInterfaces.values()]
        .filter((networkInterface) => networkInterface.subnetId === subnetId)
        .map((networkInterface) => networkInterface.instanceId ?? networkInterface.networkInterfaceId),
      ...[...state.natGateways.values()]
        .filter((nat) => nat.subnetId === subnetId && nat.state !== 'deleted')
        .map((nat) => nat.natGatewayId),
    ];
    if (blockers.length > 0) {
      throw dependencyViolation(
        `The subnet '${subnetId}' has dependencies and cannot be deleted. (${[...new Set(blockers)].join(', ')})`,
      );
    }
    for (const table of state.routeTables.values()) {
      table.associations = table.associations.filter((association) => association.subnetId !== subnetId);
    }
    state.subnets.delete(subnetId);
    state.tags.delete(subnetId);
    return RETURN_TRUE;
  },

  DescribeSubnets({ params, state, region }) {
    const ids = params.strings('SubnetId');
    const subnets = applyFilters(selectByIds(state.subnets, ids), params.filters(), (subnet, name) => {
      const tags = tagFilterValues(state, subnet.subnetId, name);
      if (tags) return tags;
      switch (name) {
        case 'subnet-id':
          return [subnet.subnetId];
        case 'vpc-id':
          return [subnet.vpcId];
        case 'cidr-block':
        case 'cidr':
        case 'cidrBlock':
          return [subnet.cidrBlock];
        case 'availability-zone':
        case 'availabilityZone':
          return [subnet.availabilityZone];
        case 'state':
          return ['available'];
        case 'default-for-az':
        case 'defaultForAz':
          return ['false'];
        case 'map-public-ip-on-launch':
          return [String(subnet.mapPublicIpOnLaunch)];
        default:
          return undefined;
      }
    });
    const page = paginate(subnets, params);
    return {
      subnetSet: page.items.map((subnet) => subnetXml(state, subnet, region)),
      nextToken: page.nextToken,
    };
  },

  ModifySubnetAttribute({ params, state }) {
    const subnetId = params.required('SubnetId');
    const subnet = state.subnets.get(subnetId);
    if (!subnet) throw notFoundError([subnetId]);
    const mapPublic = params.child('MapPublicIpOnLaunch')?.bool('Value');
    if (mapPublic !== undefined) subnet.mapPublicIpOnLaunch = mapPublic;
    return RETURN_TRUE;
  },
};
