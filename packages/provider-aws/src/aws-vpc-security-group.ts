import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import {
  call,
  describeOrUndefined,
  hasAwsCode,
  type InfrastructureContext,
} from './aws-infrastructure-context.js';
import {
  ownedFilters,
  ownedTags,
  resourceNames,
  stateKeys,
  tagSpecifications,
} from './aws-infrastructure-names.js';
import { vpcIdOf } from './aws-vpc-network-steps.js';
import { reconcileTags } from './aws-vpc-tags.js';

const ANYWHERE = '0.0.0.0/0';

/** Gardener's node rules: all traffic inside the group, NodePorts from anywhere, all egress. */
function desiredRules(groupId: string): { ingress: IpPermission[]; egress: IpPermission[] } {
  return {
    ingress: [
      { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: groupId }] },
      { IpProtocol: 'tcp', FromPort: 30000, ToPort: 32767, IpRanges: [{ CidrIp: ANYWHERE }] },
      { IpProtocol: 'udp', FromPort: 30000, ToPort: 32767, IpRanges: [{ CidrIp: ANYWHERE }] },
    ],
    egress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: ANYWHERE }] }],
  };
}

/** True when `existing` already grants what `wanted` grants. */
function covers(existing: readonly IpPermission[] | undefined, wanted: IpPermission): boolean {
  return (existing ?? []).some((permission) => {
    if (permission.IpProtocol !== wanted.IpProtocol) return false;
    if (
      wanted.IpProtocol !== '-1' &&
      (permission.FromPort !== wanted.FromPort || permission.ToPort !== wanted.ToPort)
    ) {
      return false;
    }
    const cidrs = (wanted.IpRanges ?? []).every((range) =>
      permission.IpRanges?.some((candidate) => candidate.CidrIp === range.CidrIp),
    );
    const groups = (wanted.UserIdGroupPairs ?? []).every((pair) =>
      permission.UserIdGroupPairs?.some((candidate) => candidate.GroupId === pair.GroupId),
    );
    return cidrs && groups;
  });
}

async function describeGroup(context: InfrastructureContext, input: DescribeSecurityGroupsCommandInput) {
  return describeOrUndefined(context, 'DescribeSecurityGroups', 'reconcile:security-group', async () => {
    const response = await context.ec2.send(new DescribeSecurityGroupsCommand(input));
    return response.SecurityGroups?.[0];
  });
}

/** Step `security-group/nodes`: finds or creates the nodes' security group and adds missing rules. */
export async function ensureSecurityGroup(context: InfrastructureContext): Promise<void> {
  const { cluster } = context;
  const vpcId = vpcIdOf(context);
  const name = resourceNames.securityGroup(cluster);
  const operation = 'reconcile:security-group';
  const recordedId = context.state.id(stateKeys.securityGroup);
  let group: SecurityGroup | undefined = recordedId
    ? await describeGroup(context, { GroupIds: [recordedId] })
    : undefined;
  group ??= await describeGroup(context, {
    Filters: ownedFilters(cluster, name, [{ Name: 'vpc-id', Values: [vpcId] }]),
  });
  if (group?.GroupId) {
    await reconcileTags(context, group.GroupId, group.Tags, ownedTags(cluster, name));
  } else {
    const created = await call(context, 'CreateSecurityGroup', operation, () =>
      context.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: name,
          Description: `Security group for the nodes of cluster ${cluster}`,
          VpcId: vpcId,
          TagSpecifications: tagSpecifications('security-group', cluster, name),
        }),
      ),
    );
    group = { GroupId: created.GroupId };
    // Recorded at once: an abort before the describe below must not leave the new group unrecorded.
    if (created.GroupId) {
      context.state.set(stateKeys.securityGroup, {
        id: created.GroupId,
        kind: 'security-group',
        managed: true,
      });
    }
    // A new group comes with default rules (all egress on AWS): read them before adding ours.
    group =
      (created.GroupId ? await describeGroup(context, { GroupIds: [created.GroupId] }) : undefined) ?? group;
  }
  const groupId = group.GroupId;
  if (!groupId) throw new Error('CreateSecurityGroup returned no id');
  context.state.set(stateKeys.securityGroup, { id: groupId, kind: 'security-group', managed: true });
  const rules = desiredRules(groupId);
  const ingress = rules.ingress.filter((rule) => !covers(group?.IpPermissions, rule));
  const egress = rules.egress.filter((rule) => !covers(group?.IpPermissionsEgress, rule));
  const ignoreDuplicate = (error: unknown) => {
    if (!hasAwsCode(error, 'InvalidPermission.Duplicate')) throw error;
  };
  if (ingress.length > 0) {
    await call(context, 'AuthorizeSecurityGroupIngress', operation, () =>
      context.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress }),
      ),
    ).catch(ignoreDuplicate);
  }
  if (egress.length > 0) {
    await call(context, 'AuthorizeSecurityGroupEgress', operation, () =>
      context.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress })),
    ).catch(ignoreDuplicate);
  }
}
