import {
  DeleteDhcpOptionsCommand,
  DeleteInternetGatewayCommand,
  DeleteKeyPairCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcEndpointsCommand,
  DescribeInternetGatewaysCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { TrellisError } from '@trellis/core';
import { call, hasAwsCode, type InfrastructureContext, isAwsNotFound } from './aws-infrastructure-context.js';
import { resourceNames, stateKeys } from './aws-infrastructure-names.js';
import { waitForNatGateway } from './aws-vpc-zone-steps.js';

/** Runs a deletion call; "already gone" counts as done. */
async function gone(
  context: InfrastructureContext,
  action: string,
  key: string,
  send: () => Promise<unknown>,
) {
  try {
    await call(context, action, `delete:${key}`, send);
  } catch (error) {
    if (isAwsNotFound(error) || hasAwsCode(error, 'Gateway.NotAttached', 'InvalidAssociationID.NotFound'))
      return;
    throw error;
  }
}

/** Deletes one resource recorded in the state by its kind. Bring-your-own resources are never passed here. */
export async function deleteResource(context: InfrastructureContext, key: string): Promise<void> {
  const resource = context.state.get(key);
  if (!resource) return;
  const { id } = resource;
  const { ec2, iam } = context;
  switch (resource.kind) {
    case 'vpc-endpoint':
      return gone(context, 'DeleteVpcEndpoints', key, async () => {
        const response = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
        const failure = response.Unsuccessful?.find((item) => item.ResourceId === id)?.Error;
        if (failure && !failure.Code?.endsWith('NotFound')) {
          throw new TrellisError({
            code: 'Unavailable',
            provider: 'aws',
            operation: `delete:${key}`,
            message: `DeleteVpcEndpoints ${id} failed: ${failure.Code} ${failure.Message ?? ''}`.trim(),
          });
        }
      });
    case 'key-pair':
      return gone(context, 'DeleteKeyPair', key, () => ec2.send(new DeleteKeyPairCommand({ KeyName: id })));
    case 'iam-instance-profile': {
      const roleName = resource.attributes?.roleName;
      if (typeof roleName === 'string' && roleName) {
        await gone(context, 'iam:RemoveRoleFromInstanceProfile', key, () =>
          iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: id, RoleName: roleName })),
        );
      }
      return gone(context, 'iam:DeleteInstanceProfile', key, () =>
        iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: id })),
      );
    }
    case 'iam-role-policy':
      return gone(context, 'iam:DeleteRolePolicy', key, () =>
        iam.send(
          new DeleteRolePolicyCommand({
            RoleName: String(resource.attributes?.roleName ?? ''),
            PolicyName: id,
          }),
        ),
      );
    case 'iam-role':
      return gone(context, 'iam:DeleteRole', key, () => iam.send(new DeleteRoleCommand({ RoleName: id })));
    case 'route-table-association':
      return gone(context, 'DisassociateRouteTable', key, () =>
        ec2.send(new DisassociateRouteTableCommand({ AssociationId: id })),
      );
    case 'route-table':
      return gone(context, 'DeleteRouteTable', key, () =>
        ec2.send(new DeleteRouteTableCommand({ RouteTableId: id })),
      );
    case 'security-group':
      return gone(context, 'DeleteSecurityGroup', key, () =>
        ec2.send(new DeleteSecurityGroupCommand({ GroupId: id })),
      );
    case 'nat-gateway':
      await gone(context, 'DeleteNatGateway', key, () =>
        ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: id })),
      );
      await waitForNatGateway(context, id, ['deleted']);
      return;
    case 'elastic-ip':
      return gone(context, 'ReleaseAddress', key, () =>
        ec2.send(new ReleaseAddressCommand({ AllocationId: id })),
      );
    case 'subnet':
      return gone(context, 'DeleteSubnet', key, () => ec2.send(new DeleteSubnetCommand({ SubnetId: id })));
    case 'internet-gateway': {
      const described = await call(context, 'DescribeInternetGateways', `delete:${key}`, () =>
        ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [id] })),
      ).catch((error: unknown) => {
        if (isAwsNotFound(error)) return undefined;
        throw error;
      });
      const gateway = described?.InternetGateways?.[0];
      if (!gateway) return;
      for (const attachment of gateway.Attachments ?? []) {
        if (!attachment.VpcId) continue;
        const vpcId = attachment.VpcId;
        await gone(context, 'DetachInternetGateway', key, () =>
          ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId })),
        );
      }
      return gone(context, 'DeleteInternetGateway', key, () =>
        ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id })),
      );
    }
    case 'vpc':
      return gone(context, 'DeleteVpc', key, () => ec2.send(new DeleteVpcCommand({ VpcId: id })));
    case 'dhcp-options':
      return gone(context, 'DeleteDhcpOptions', key, () =>
        ec2.send(new DeleteDhcpOptionsCommand({ DhcpOptionsId: id })),
      );
    default:
      throw new Error(`unknown resource kind "${resource.kind}" under "${key}" in the state`);
  }
}

/** Reconcile step for a removed `sshPublicKey`: deletes the cluster's key pair. */
export async function deleteKeyPair(context: InfrastructureContext): Promise<void> {
  if (context.state.get(stateKeys.keyPair)?.id !== resourceNames.keyPair(context.cluster)) return;
  await deleteResource(context, stateKeys.keyPair);
  context.state.remove(stateKeys.keyPair);
}

/** Reconcile step for a gateway endpoint no longer in the config. */
export async function deleteVpcEndpoint(context: InfrastructureContext, key: string): Promise<void> {
  await deleteResource(context, key);
  context.state.remove(key);
}
