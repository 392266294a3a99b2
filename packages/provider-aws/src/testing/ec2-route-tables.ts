import { parseCidr } from '@trellis/core';
import { applyFilters, paginate, selectByIds, tagFilterValues } from './ec2-describe.js';
import {
  dependencyViolation,
  ec2Error,
  invalidParameterValue,
  missingParameter,
  notFoundError,
} from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeRoute, FakeRouteTable } from './ec2-fake-types.js';
import { type ActionHandler, RETURN_TRUE } from './ec2-handler.js';
import type { QueryParams } from './ec2-query.js';
import type { XmlObject } from './ec2-xml.js';

function routeState(state: Ec2FakeState, route: FakeRoute): string {
  if (route.natGatewayId) {
    const nat = state.natGateways.get(route.natGatewayId);
    return nat && nat.state !== 'deleted' && nat.state !== 'deleting' ? 'active' : 'blackhole';
  }
  if (route.gatewayId?.startsWith('igw-')) {
    return state.internetGateways.get(route.gatewayId)?.attachedVpcId ? 'active' : 'blackhole';
  }
  if (route.instanceId) {
    const instance = state.instances.get(route.instanceId);
    return instance && instance.state !== 'terminated' ? 'active' : 'blackhole';
  }
  return 'active';
}

function tableXml(state: Ec2FakeState, table: FakeRouteTable): XmlObject {
  return {
    routeTableId: table.routeTableId,
    vpcId: table.vpcId,
    ownerId: FAKE_ACCOUNT_ID,
    routeSet: table.routes.map((route) => ({
      destinationCidrBlock: route.destinationCidrBlock,
      destinationPrefixListId: route.destinationPrefixListId,
      gatewayId: route.gatewayId,
      instanceId: route.instanceId,
      instanceOwnerId: route.instanceId ? FAKE_ACCOUNT_ID : undefined,
      natGatewayId: route.natGatewayId,
      transitGatewayId: route.transitGatewayId,
      networkInterfaceId: route.networkInterfaceId,
      vpcPeeringConnectionId: route.vpcPeeringConnectionId,
      state: routeState(state, route),
      origin: route.origin,
    })),
    associationSet: table.associations.map((association) => ({
      routeTableAssociationId: association.associationId,
      routeTableId: table.routeTableId,
      subnetId: association.subnetId,
      gatewayId: association.gatewayId,
      main: association.main,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    tagSet: state.tagSet(table.routeTableId),
  };
}

function tableOf(state: Ec2FakeState, id: string): FakeRouteTable {
  const table = state.routeTables.get(id);
  if (!table) throw notFoundError([id]);
  return table;
}

function canonicalDestination(text: string): string {
  try {
    return parseCidr(text).canonical;
  } catch {
    throw invalidParameterValue(`Value (${text}) for parameter destinationCidrBlock is invalid.`);
  }
}

/** The route's destination and target from CreateRoute/ReplaceRoute parameters, with EC2's checks. */
function routeFrom(state: Ec2FakeState, table: FakeRouteTable, params: QueryParams): FakeRoute {
  const destinationCidrBlock = params.string('DestinationCidrBlock');
  const destinationPrefixListId = params.string('DestinationPrefixListId');
  if (!destinationCidrBlock && !destinationPrefixListId) throw missingParameter('DestinationCidrBlock');
  const route: FakeRoute = {
    destinationCidrBlock: destinationCidrBlock ? canonicalDestination(destinationCidrBlock) : undefined,
    destinationPrefixListId,
    gatewayId: params.string('GatewayId'),
    natGatewayId: params.string('NatGatewayId'),
    instanceId: params.string('InstanceId'),
    networkInterfaceId: params.string('NetworkInterfaceId'),
    vpcPeeringConnectionId: params.string('VpcPeeringConnectionId'),
    transitGatewayId: params.string('TransitGatewayId'),
    origin: 'CreateRoute',
  };
  const targets = [route.gatewayId, route.natGatewayId, route.instanceId, route.networkInterfaceId];
  if ([...targets, route.vpcPeeringConnectionId, route.transitGatewayId].filter(Boolean).length !== 1) {
    throw ec2Error(
      'InvalidParameterCombination',
      'The request must contain exactly one of gatewayId, natGatewayId, instanceId, networkInterfaceId, vpcPeeringConnectionId or transitGatewayId',
    );
  }
  if (route.gatewayId?.startsWith('igw-')) {
    const gateway = state.internetGateways.get(route.gatewayId);
    if (!gateway) throw notFoundError([route.gatewayId]);
    if (gateway.attachedVpcId !== table.vpcId) {
      throw invalidParameterValue(
        `route table ${table.routeTableId} and network gateway ${route.gatewayId} belong to different networks`,
      );
    }
  }
  if (route.natGatewayId) {
    const nat = state.natGateways.get(route.natGatewayId);
    if (!nat || nat.state === 'deleted') throw notFoundError([route.natGatewayId]);
    if (nat.vpcId !== table.vpcId) {
      throw invalidParameterValue(
        `route table ${table.routeTableId} and NAT gateway ${route.natGatewayId} belong to different networks`,
      );
    }
  }
  if (route.instanceId && !state.instances.has(route.instanceId)) throw notFoundError([route.instanceId]);
  if (route.networkInterfaceId && !state.networkInterfaces.has(route.networkInterfaceId)) {
    throw notFoundError([route.networkInterfaceId]);
  }
  return route;
}

const sameDestination = (first: FakeRoute, second: FakeRoute) =>
  (first.destinationCidrBlock !== undefined && first.destinationCidrBlock === second.destinationCidrBlock) ||
  (first.destinationPrefixListId !== undefined &&
    first.destinationPrefixListId === second.destinationPrefixListId);

/** Route tables, routes and associations. */
export const routeTableHandlers: Record<string, ActionHandler> = {
  CreateRouteTable({ params, state }) {
    const vpcId = params.required('VpcId');
    const vpc = state.vpcs.get(vpcId);
    if (!vpc) throw notFoundError([vpcId]);
    const table: FakeRouteTable = {
      routeTableId: state.newId('rtb'),
      vpcId,
      routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable' }],
      associations: [],
    };
    state.routeTables.set(table.routeTableId, table);
    state.applyTagSpecifications(params.tagSpecifications(), { 'route-table': [table.routeTableId] });
    return { routeTable: tableXml(state, table) };
  },

  DeleteRouteTable({ params, state }) {
    const table = tableOf(state, params.required('RouteTableId'));
    if (table.associations.length > 0) {
      throw dependencyViolation(
        `The routeTable '${table.routeTableId}' has dependencies and cannot be deleted.`,
      );
    }
    state.routeTables.delete(table.routeTableId);
    state.tags.delete(table.routeTableId);
    for (const endpoint of state.vpcEndpoints.values()) {
      endpoint.routeTableIds = endpoint.routeTableIds.filter((id) => id !== table.routeTableId);
    }
    return RETURN_TRUE;
  },

  DescribeRouteTables({ params, state }) {
    const ids = params.strings('RouteTableId');
    const tables = applyFilters(selectByIds(state.routeTables, ids), params.filters(), (table, name) => {
      const tags = tagFilterValues(state, table.routeTableId, name);
      if (tags) return tags;
      switch (name) {
        case 'route-table-id':
          return [table.routeTableId];
        case 'vpc-id':
          return [table.vpcId];
        case 'association.subnet-id':
          return table.associations.map((association) => association.subnetId);
        case 'association.main':
          return table.associations.map((association) => String(association.main));
        case 'association.route-table-association-id':
          return table.associations.map((association) => association.associationId);
        case 'route.destination-cidr-block':
          return table.routes.map((route) => route.destinationCidrBlock);
        case 'route.gateway-id':
          return table.routes.map((route) => route.gatewayId);
        case 'route.nat-gateway-id':
          return table.routes.map((route) => route.natGatewayId);
        default:
          return undefined;
      }
    });
    const page = paginate(tables, params, { max: 100 });
    return { routeTableSet: page.items.map((table) => tableXml(state, table)), nextToken: page.nextToken };
  },

  CreateRoute({ params, state }) {
    const table = tableOf(state, params.required('RouteTableId'));
    const route = routeFrom(state, table, params);
    const existing = table.routes.find((candidate) => sameDestination(candidate, route));
    if (existing) {
      throw ec2Error(
        'RouteAlreadyExists',
        `The route identified by ${route.destinationCidrBlock ?? route.destinationPrefixListId} already exists.`,
      );
    }
    table.routes.push(route);
    return RETURN_TRUE;
  },

  ReplaceRoute({ params, state }) {
    const table = tableOf(state, params.required('RouteTableId'));
    const route = routeFrom(state, table, params);
    const index = table.routes.findIndex((candidate) => sameDestination(candidate, route));
    if (index < 0 || table.routes[index]?.gatewayId === 'local') {
      throw ec2Error(
        'InvalidRoute.NotFound',
        `no route with destination-cidr-block ${route.destinationCidrBlock} in route table ${table.routeTableId}`,
      );
    }
    table.routes[index] = route;
    return RETURN_TRUE;
  },

  DeleteRoute({ params, state }) {
    const table = tableOf(state, params.required('RouteTableId'));
    const destination = params.string('DestinationCidrBlock');
    const prefixList = params.string('DestinationPrefixListId');
    const canonical = destination ? canonicalDestination(destination) : undefined;
    const index = table.routes.findIndex(
      (route) =>
        (canonical !== undefined && route.destinationCidrBlock === canonical) ||
        (prefixList !== undefined && route.destinationPrefixListId === prefixList),
    );
    if (index < 0) {
      throw ec2Error(
        'InvalidRoute.NotFound',
        `no route with destination-cidr-block ${destination ?? prefixList} in route table ${table.routeTableId}`,
      );
    }
    if (table.routes[index]?.gatewayId === 'local') {
      throw invalidParameterValue(
        `cannot remove local route ${destination} in route table ${table.routeTableId}`,
      );
    }
    table.routes.splice(index, 1);
    return RETURN_TRUE;
  },

  AssociateRouteTable({ params, state }) {
    const table = tableOf(state, params.required('RouteTableId'));
    const subnetId = params.string('SubnetId');
    const gatewayId = params.string('GatewayId');
    if (!subnetId && !gatewayId) throw missingParameter('SubnetId');
    if (subnetId) {
      const subnet = state.subnets.get(subnetId);
      if (!subnet) throw notFoundError([subnetId]);
      if (subnet.vpcId !== table.vpcId) {
        throw invalidParameterValue(
          `Route table ${table.routeTableId} and subnet ${subnetId} belong to different networks`,
        );
      }
      for (const other of state.routeTables.values()) {
        const association = other.associations.find((candidate) => candidate.subnetId === subnetId);
        if (association) {
          throw ec2Error(
            'Resource.AlreadyAssociated',
            `the specified association for route table ${other.routeTableId} conflicts with an existing association`,
          );
        }
      }
    } else if (gatewayId && !state.internetGateways.has(gatewayId)) {
      throw notFoundError([gatewayId]);
    }
    const associationId = state.newId('rtbassoc');
    table.associations.push({ associationId, subnetId, gatewayId, main: false });
    return { associationId, associationState: { state: 'associated' } };
  },

  ReplaceRouteTableAssociation({ params, state }) {
    const associationId = params.required('AssociationId');
    const target = tableOf(state, params.required('RouteTableId'));
    for (const table of state.routeTables.values()) {
      const association = table.associations.find((candidate) => candidate.associationId === associationId);
      if (!association) continue;
      if (table.vpcId !== target.vpcId) {
        throw invalidParameterValue(`route table ${target.routeTableId} belongs to a different network`);
      }
      table.associations = table.associations.filter((candidate) => candidate !== association);
      const replaced = { ...association, associationId: state.newId('rtbassoc') };
      target.associations.push(replaced);
      if (replaced.main) {
        const vpc = state.vpcs.get(target.vpcId);
        if (vpc) vpc.mainRouteTableId = target.routeTableId;
      }
      return { newAssociationId: replaced.associationId, associationState: { state: 'associated' } };
    }
    throw notFoundError([associationId]);
  },

  DisassociateRouteTable({ params, state }) {
    const associationId = params.required('AssociationId');
    for (const table of state.routeTables.values()) {
      const association = table.associations.find((candidate) => candidate.associationId === associationId);
      if (!association) continue;
      if (association.main)
        throw invalidParameterValue(`cannot disassociate the main route table association ${associationId}`);
      table.associations = table.associations.filter((candidate) => candidate !== association);
      return RETURN_TRUE;
    }
    throw notFoundError([associationId]);
  },
};
