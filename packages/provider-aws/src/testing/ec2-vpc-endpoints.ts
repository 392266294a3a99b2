import { applyFilters, paginate, selectByIds, tagFilterValues } from './ec2-describe.js';
import { ec2Error, invalidParameterValue, notFoundError } from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeVpcEndpoint } from './ec2-fake-types.js';
import { type ActionHandler, RETURN_TRUE, zonesOf } from './ec2-handler.js';
import type { XmlObject } from './ec2-xml.js';

const FULL_ACCESS_POLICY = JSON.stringify({
  Version: '2008-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
});

/** A stable fake prefix list id per service (the destination of a gateway endpoint's routes). */
function prefixListOf(serviceName: string): string {
  let hash = 0;
  for (const character of serviceName) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return `pl-${hash.toString(16).padStart(8, '0')}`;
}

function endpointXml(state: Ec2FakeState, endpoint: FakeVpcEndpoint): XmlObject {
  return {
    vpcEndpointId: endpoint.vpcEndpointId,
    vpcEndpointType: endpoint.vpcEndpointType,
    vpcId: endpoint.vpcId,
    serviceName: endpoint.serviceName,
    state: endpoint.state,
    policyDocument: endpoint.policyDocument,
    routeTableIdSet: endpoint.routeTableIds,
    subnetIdSet: endpoint.subnetIds,
    groupSet: endpoint.securityGroupIds.map((groupId) => ({
      groupId,
      groupName: state.securityGroups.get(groupId)?.groupName,
    })),
    privateDnsEnabled: endpoint.vpcEndpointType === 'Interface',
    requesterManaged: false,
    networkInterfaceIdSet: [],
    dnsEntrySet: [],
    creationTimestamp: endpoint.creationTimestamp,
    tagSet: state.tagSet(endpoint.vpcEndpointId),
    ownerId: FAKE_ACCOUNT_ID,
  };
}

function addGatewayRoutes(state: Ec2FakeState, endpoint: FakeVpcEndpoint, routeTableIds: string[]): void {
  const missing = routeTableIds.filter((id) => !state.routeTables.has(id));
  if (missing.length > 0) throw notFoundError(missing);
  for (const id of routeTableIds) {
    const table = state.routeTables.get(id)!;
    if (table.vpcId !== endpoint.vpcId) {
      throw invalidParameterValue(`route table ${id} does not belong to vpc ${endpoint.vpcId}`);
    }
    table.routes.push({
      destinationPrefixListId: prefixListOf(endpoint.serviceName),
      gatewayId: endpoint.vpcEndpointId,
      origin: 'CreateRoute',
    });
    if (!endpoint.routeTableIds.includes(id)) endpoint.routeTableIds.push(id);
  }
}

function removeGatewayRoutes(state: Ec2FakeState, endpoint: FakeVpcEndpoint, routeTableIds: string[]): void {
  for (const id of routeTableIds) {
    const table = state.routeTables.get(id);
    if (table) table.routes = table.routes.filter((route) => route.gatewayId !== endpoint.vpcEndpointId);
  }
  endpoint.routeTableIds = endpoint.routeTableIds.filter((id) => !routeTableIds.includes(id));
}

/** VPC endpoints and availability zones. */
export const vpcEndpointHandlers: Record<string, ActionHandler> = {
  CreateVpcEndpoint({ params, state }) {
    const clientToken = params.string('ClientToken');
    const fingerprint = params.fingerprint(['ClientToken', 'Action', 'Version']);
    if (clientToken !== undefined) {
      const known = state.clientTokens.get(`CreateVpcEndpoint:${clientToken}`);
      if (known && known.fingerprint !== fingerprint) {
        throw ec2Error(
          'IdempotentParameterMismatch',
          'The client token has already been used with different parameters.',
        );
      }
      const existing = known && state.vpcEndpoints.get(known.id);
      if (existing) return { vpcEndpoint: endpointXml(state, existing), clientToken };
    }
    const vpcId = params.required('VpcId');
    if (!state.vpcs.has(vpcId)) throw notFoundError([vpcId]);
    const serviceName = params.required('ServiceName');
    if (!/^com\.amazonaws\.[a-z0-9-]+\.[a-z0-9.-]+$/.test(serviceName)) {
      throw ec2Error('InvalidServiceName', `The Vpc Endpoint Service '${serviceName}' does not exist`);
    }
    const vpcEndpointType = params.string('VpcEndpointType') ?? 'Gateway';
    if (vpcEndpointType === 'Gateway' && !/\.(s3|dynamodb)$/.test(serviceName)) {
      throw invalidParameterValue(
        `The Vpc Endpoint Service '${serviceName}' does not support the Gateway endpoint type`,
      );
    }
    const endpoint: FakeVpcEndpoint = {
      vpcEndpointId: state.newId('vpce'),
      vpcEndpointType,
      vpcId,
      serviceName,
      routeTableIds: [],
      subnetIds: params.strings('SubnetId'),
      securityGroupIds: params.strings('SecurityGroupId'),
      policyDocument: params.string('PolicyDocument') ?? FULL_ACCESS_POLICY,
      state: 'available',
      creationTimestamp: new Date(),
      clientToken,
    };
    const missing = [...endpoint.subnetIds, ...endpoint.securityGroupIds].filter((id) => !state.exists(id));
    if (missing.length > 0) throw notFoundError(missing);
    if (vpcEndpointType === 'Gateway') addGatewayRoutes(state, endpoint, params.strings('RouteTableId'));
    state.vpcEndpoints.set(endpoint.vpcEndpointId, endpoint);
    state.applyTagSpecifications(params.tagSpecifications(), { 'vpc-endpoint': [endpoint.vpcEndpointId] });
    if (clientToken !== undefined) {
      state.clientTokens.set(`CreateVpcEndpoint:${clientToken}`, { fingerprint, id: endpoint.vpcEndpointId });
    }
    return { vpcEndpoint: endpointXml(state, endpoint), clientToken };
  },

  ModifyVpcEndpoint({ params, state }) {
    const id = params.required('VpcEndpointId');
    const endpoint = state.vpcEndpoints.get(id);
    if (!endpoint) throw notFoundError([id]);
    addGatewayRoutes(state, endpoint, params.strings('AddRouteTableId'));
    removeGatewayRoutes(state, endpoint, params.strings('RemoveRouteTableId'));
    const policy = params.string('PolicyDocument');
    if (policy !== undefined) endpoint.policyDocument = policy;
    return RETURN_TRUE;
  },

  DeleteVpcEndpoints({ params, state }) {
    const unsuccessful: XmlObject[] = [];
    for (const id of params.strings('VpcEndpointId')) {
      const endpoint = state.vpcEndpoints.get(id);
      if (!endpoint) {
        unsuccessful.push({
          error: {
            code: 'InvalidVpcEndpoint.NotFound',
            message: `The Vpc Endpoint Id '${id}' does not exist`,
          },
          resourceId: id,
        });
        continue;
      }
      removeGatewayRoutes(state, endpoint, [...endpoint.routeTableIds]);
      state.vpcEndpoints.delete(id);
      state.tags.delete(id);
    }
    return { unsuccessful };
  },

  DescribeVpcEndpoints({ params, state }) {
    const ids = params.strings('VpcEndpointId');
    const endpoints = applyFilters(
      selectByIds(state.vpcEndpoints, ids),
      params.filters(),
      (endpoint, name) => {
        const tags = tagFilterValues(state, endpoint.vpcEndpointId, name);
        if (tags) return tags;
        if (name === 'vpc-endpoint-id') return [endpoint.vpcEndpointId];
        if (name === 'vpc-id') return [endpoint.vpcId];
        if (name === 'service-name') return [endpoint.serviceName];
        if (name === 'vpc-endpoint-state') return [endpoint.state];
        if (name === 'vpc-endpoint-type') return [endpoint.vpcEndpointType];
        return undefined;
      },
    );
    const page = paginate(endpoints, params);
    return {
      vpcEndpointSet: page.items.map((endpoint) => endpointXml(state, endpoint)),
      nextToken: page.nextToken,
    };
  },

  DescribeAvailabilityZones({ params, region }) {
    const names = params.strings('ZoneName');
    const zones = zonesOf(region);
    const unknown = names.find((name) => !zones.includes(name));
    if (unknown) throw invalidParameterValue(`The zone '${unknown}' does not exist.`);
    const regionCode = region.replace(/^(\w)\w*-(\w)\w*-(\d+)$/, '$1$2$3');
    const all = zones.map((zoneName, index) => ({ zoneName, zoneId: `${regionCode}-az${index + 1}` }));
    const selected = applyFilters(
      names.length > 0 ? all.filter((zone) => names.includes(zone.zoneName)) : all,
      params.filters(),
      (zone, name) => {
        if (name === 'zone-name') return [zone.zoneName];
        if (name === 'zone-id') return [zone.zoneId];
        if (name === 'state') return ['available'];
        if (name === 'region-name') return [region];
        if (name === 'zone-type') return ['availability-zone'];
        if (name === 'opt-in-status') return ['opt-in-not-required'];
        return undefined;
      },
    );
    return {
      availabilityZoneInfo: selected.map((zone) => ({
        zoneState: 'available',
        optInStatus: 'opt-in-not-required',
        messageSet: [],
        regionName: region,
        zoneName: zone.zoneName,
        zoneId: zone.zoneId,
        groupName: region,
        networkBorderGroup: region,
        zoneType: 'availability-zone',
      })),
    };
  },
};
