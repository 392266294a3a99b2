import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateVpcEndpointCommand,
  DescribeRouteTablesCommand,
  type DescribeRouteTablesCommandInput,
  DescribeVpcEndpointsCommand,
  type DescribeVpcEndpointsCommandInput,
  ModifyVpcEndpointCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { call, describeOrUndefined, type InfrastructureContext } from './aws-infrastructure-context.js';
import {
  ownedFilters,
  ownedTags,
  resourceNames,
  SUBNET_PURPOSES,
  stateKeys,
  tagSpecifications,
} from './aws-infrastructure-names.js';
import { vpcIdOf } from './aws-vpc-network-steps.js';
import { reconcileTags } from './aws-vpc-tags.js';

const DEFAULT_ROUTE = '0.0.0.0/0';

async function describeRouteTables(context: InfrastructureContext, input: DescribeRouteTablesCommandInput) {
  return (
    (await describeOrUndefined(context, 'DescribeRouteTables', 'reconcile:route-table', async () => {
      const response = await context.ec2.send(new DescribeRouteTablesCommand(input));
      return response.RouteTables;
    })) ?? []
  );
}

/** Finds or creates a route table and makes its default route point at `target`. */
async function ensureRouteTable(
  context: InfrastructureContext,
  key: string,
  name: string,
  target: { GatewayId: string } | { NatGatewayId: string },
  attributes: Record<string, string>,
): Promise<void> {
  const { cluster } = context;
  const vpcId = vpcIdOf(context);
  const recordedId = context.state.id(key);
  let table: RouteTable | undefined = recordedId
    ? (await describeRouteTables(context, { RouteTableIds: [recordedId] }))[0]
    : undefined;
  table ??= (
    await describeRouteTables(context, {
      Filters: ownedFilters(cluster, name, [{ Name: 'vpc-id', Values: [vpcId] }]),
    })
  )[0];
  if (table?.RouteTableId) {
    await reconcileTags(context, table.RouteTableId, table.Tags, ownedTags(cluster, name));
  } else {
    table = await call(context, 'CreateRouteTable', `reconcile:${key}`, async () => {
      const response = await context.ec2.send(
        new CreateRouteTableCommand({
          VpcId: vpcId,
          TagSpecifications: tagSpecifications('route-table', cluster, name),
        }),
      );
      return response.RouteTable;
    });
  }
  const routeTableId = table?.RouteTableId;
  if (!routeTableId) throw new Error('CreateRouteTable returned no id');
  context.state.set(key, { id: routeTableId, kind: 'route-table', managed: true, attributes });
  const route = table?.Routes?.find((candidate) => candidate.DestinationCidrBlock === DEFAULT_ROUTE);
  const targetId = 'GatewayId' in target ? target.GatewayId : target.NatGatewayId;
  if (route && (route.GatewayId ?? route.NatGatewayId) === targetId) return;
  const input = { RouteTableId: routeTableId, DestinationCidrBlock: DEFAULT_ROUTE, ...target };
  if (route) {
    await call(context, 'ReplaceRoute', `reconcile:${key}`, () =>
      context.ec2.send(new ReplaceRouteCommand(input)),
    );
  } else {
    await call(context, 'CreateRoute', `reconcile:${key}`, () =>
      context.ec2.send(new CreateRouteCommand(input)),
    );
  }
}

/** Step `route-table/public`: the cluster's route table with 0.0.0.0/0 → internet gateway. */
export async function ensurePublicRouteTable(context: InfrastructureContext): Promise<void> {
  const gatewayId = context.state.id(stateKeys.internetGateway)!;
  await ensureRouteTable(
    context,
    stateKeys.publicRouteTable,
    resourceNames.publicRouteTable(context.cluster),
    { GatewayId: gatewayId },
    { purpose: 'public' },
  );
}

/** Step `route-table/<zone>/private`: the zone's route table with 0.0.0.0/0 → the zone's NAT gateway. */
export async function ensurePrivateRouteTable(
  context: InfrastructureContext,
  zoneIndex: number,
): Promise<void> {
  const zone = context.config.networks.zones[zoneIndex]!;
  const natGatewayId = context.state.id(stateKeys.natGateway(zone.name))!;
  await ensureRouteTable(
    context,
    stateKeys.privateRouteTable(zone.name),
    resourceNames.privateRouteTable(context.cluster, zone.name),
    { NatGatewayId: natGatewayId },
    { purpose: 'private', zone: zone.name },
  );
}

/**
 * Step `route-table-associations/<zone>`: the zone's nodes and internal subnets use its private
 * route table, its public subnet the public one. A subnet associated elsewhere is moved.
 */
export async function ensureRouteTableAssociations(
  context: InfrastructureContext,
  zoneIndex: number,
): Promise<void> {
  const zone = context.config.networks.zones[zoneIndex]!;
  for (const purpose of SUBNET_PURPOSES) {
    const subnetId = context.state.id(stateKeys.subnet(zone.name, purpose))!;
    const tableKey =
      purpose === 'public' ? stateKeys.publicRouteTable : stateKeys.privateRouteTable(zone.name);
    const routeTableId = context.state.id(tableKey)!;
    const key = stateKeys.association(zone.name, purpose);
    const [current] = await describeRouteTables(context, {
      Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }],
    });
    const association = current?.Associations?.find((candidate) => candidate.SubnetId === subnetId);
    let associationId = association?.RouteTableAssociationId;
    if (!association) {
      const response = await call(context, 'AssociateRouteTable', `reconcile:${key}`, () =>
        context.ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId })),
      );
      associationId = response.AssociationId;
    } else if (current?.RouteTableId !== routeTableId) {
      const response = await call(context, 'ReplaceRouteTableAssociation', `reconcile:${key}`, () =>
        context.ec2.send(
          new ReplaceRouteTableAssociationCommand({
            AssociationId: association.RouteTableAssociationId,
            RouteTableId: routeTableId,
          }),
        ),
      );
      associationId = response.NewAssociationId;
    }
    if (!associationId) throw new Error('AssociateRouteTable returned no id');
    context.state.set(key, {
      id: associationId,
      kind: 'route-table-association',
      managed: true,
      attributes: { routeTableId, subnetId },
    });
  }
}

/** The route tables a gateway endpoint serves: the public and every private route table. */
function routeTableIds(context: InfrastructureContext): string[] {
  const ids = [context.state.id(stateKeys.publicRouteTable)];
  for (const zone of context.config.networks.zones)
    ids.push(context.state.id(stateKeys.privateRouteTable(zone.name)));
  return ids.filter((id): id is string => id !== undefined).sort();
}

async function describeEndpoint(context: InfrastructureContext, input: DescribeVpcEndpointsCommandInput) {
  const endpoints =
    (await describeOrUndefined(context, 'DescribeVpcEndpoints', 'reconcile:vpc-endpoint', async () => {
      const response = await context.ec2.send(new DescribeVpcEndpointsCommand(input));
      return response.VpcEndpoints;
    })) ?? [];
  return endpoints.find(
    (endpoint) => !['deleting', 'deleted', 'failed'].includes((endpoint.State ?? '').toLowerCase()),
  );
}

/** Step `vpc-endpoint/<service>`: a gateway endpoint for `com.amazonaws.<region>.<service>` on every route table. */
export async function ensureGatewayEndpoint(context: InfrastructureContext, service: string): Promise<void> {
  const { cluster, region } = context;
  const vpcId = vpcIdOf(context);
  const key = stateKeys.vpcEndpoint(service);
  const name = resourceNames.vpcEndpoint(cluster, service);
  const serviceName = `com.amazonaws.${region}.${service}`;
  const tables = routeTableIds(context);
  const recordedId = context.state.id(key);
  let endpoint: VpcEndpoint | undefined = recordedId
    ? await describeEndpoint(context, { VpcEndpointIds: [recordedId] })
    : undefined;
  endpoint ??= await describeEndpoint(context, {
    Filters: ownedFilters(cluster, name, [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'service-name', Values: [serviceName] },
    ]),
  });
  if (endpoint?.VpcEndpointId) {
    await reconcileTags(context, endpoint.VpcEndpointId, endpoint.Tags, ownedTags(cluster, name));
    const missing = tables.filter((id) => !endpoint?.RouteTableIds?.includes(id));
    if (missing.length > 0) {
      const endpointId = endpoint.VpcEndpointId;
      await call(context, 'ModifyVpcEndpoint', `reconcile:${key}`, () =>
        context.ec2.send(
          new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, AddRouteTableIds: missing }),
        ),
      );
    }
  } else {
    endpoint = await call(context, 'CreateVpcEndpoint', `reconcile:${key}`, async () => {
      const response = await context.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: vpcId,
          ServiceName: serviceName,
          VpcEndpointType: 'Gateway',
          RouteTableIds: tables,
          TagSpecifications: tagSpecifications('vpc-endpoint', cluster, name),
        }),
      );
      return response.VpcEndpoint;
    });
  }
  if (!endpoint?.VpcEndpointId) throw new Error('CreateVpcEndpoint returned no id');
  context.state.set(key, {
    id: endpoint.VpcEndpointId,
    kind: 'vpc-endpoint',
    managed: true,
    attributes: { service },
  });
}
