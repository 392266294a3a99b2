import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  type Tag,
} from '@aws-sdk/client-iam';
import { TrellisError } from '@trellis/core';
import {
  call,
  describeOrUndefined,
  type InfrastructureContext,
  tagRecord,
} from './aws-infrastructure-context.js';
import { clusterTagKey, ownedTags, resourceNames, stateKeys } from './aws-infrastructure-names.js';

const IAM_PATH = '/';

/** The trust policy that lets EC2 instances assume the nodes' role. */
export const EC2_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Gardener's nodes policy: describe instances, and pull from ECR when enabled. */
export function nodesPolicy(enableEcrAccess: boolean): string {
  const statements: Array<Record<string, unknown>> = [
    { Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'] },
  ];
  if (enableEcrAccess) {
    statements.push({
      Effect: 'Allow',
      Action: [
        'ecr:GetAuthorizationToken',
        'ecr:BatchCheckLayerAvailability',
        'ecr:GetDownloadUrlForLayer',
        'ecr:GetRepositoryPolicy',
        'ecr:DescribeRepositories',
        'ecr:ListImages',
        'ecr:BatchGetImage',
      ],
      Resource: ['*'],
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** IAM names are account-wide: never adopt a role or profile another owner made under the same name. */
function assertOwned(
  context: InfrastructureContext,
  kind: string,
  name: string,
  tags: readonly Tag[] | undefined,
) {
  if (tagRecord(tags)[clusterTagKey(context.cluster)] === 'owned') return;
  throw new TrellisError({
    code: 'AlreadyExists',
    provider: 'aws',
    operation: `reconcile:${kind}`,
    message: `IAM ${kind} "${name}" exists but is not tagged ${clusterTagKey(context.cluster)}=owned; refusing to adopt it`,
  });
}

/** Step `iam-role`: finds or creates the nodes' role with the EC2 trust policy. */
export async function ensureIamRole(context: InfrastructureContext): Promise<void> {
  const name = resourceNames.iamRole(context.cluster);
  const operation = 'reconcile:iam-role';
  let role = await describeOrUndefined(context, 'iam:GetRole', operation, async () => {
    return (await context.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  });
  if (role) {
    assertOwned(context, 'role', name, role.Tags);
  } else {
    role = await call(context, 'iam:CreateRole', operation, async () => {
      const response = await context.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          Path: IAM_PATH,
          AssumeRolePolicyDocument: EC2_TRUST_POLICY,
          Description: `Nodes of cluster ${context.cluster}`,
          Tags: ownedTags(context.cluster, name),
        }),
      );
      return response.Role;
    });
  }
  context.state.set(stateKeys.iamRole, {
    id: name,
    kind: 'iam-role',
    managed: true,
    attributes: { arn: role?.Arn ?? '' },
  });
}

/** Step `iam-role-policy`: puts the nodes' inline policy (a put is idempotent). */
export async function ensureIamRolePolicy(context: InfrastructureContext): Promise<void> {
  const roleName = resourceNames.iamRole(context.cluster);
  const policyName = resourceNames.iamRolePolicy(context.cluster);
  await call(context, 'iam:PutRolePolicy', 'reconcile:iam-role-policy', () =>
    context.iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: policyName,
        PolicyDocument: nodesPolicy(context.config.enableECRAccess ?? true),
      }),
    ),
  );
  context.state.set(stateKeys.iamRolePolicy, {
    id: policyName,
    kind: 'iam-role-policy',
    managed: true,
    attributes: { roleName },
  });
}

/** Step `iam-instance-profile`: finds or creates the instance profile and puts the role in it. */
export async function ensureIamInstanceProfile(context: InfrastructureContext): Promise<void> {
  const name = resourceNames.iamInstanceProfile(context.cluster);
  const roleName = resourceNames.iamRole(context.cluster);
  const operation = 'reconcile:iam-instance-profile';
  let profile = await describeOrUndefined(context, 'iam:GetInstanceProfile', operation, async () => {
    return (await context.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })))
      .InstanceProfile;
  });
  if (profile) {
    assertOwned(context, 'instance profile', name, profile.Tags);
  } else {
    profile = await call(context, 'iam:CreateInstanceProfile', operation, async () => {
      const response = await context.iam.send(
        new CreateInstanceProfileCommand({
          InstanceProfileName: name,
          Path: IAM_PATH,
          Tags: ownedTags(context.cluster, name),
        }),
      );
      return response.InstanceProfile;
    });
  }
  context.state.set(stateKeys.iamInstanceProfile, {
    id: name,
    kind: 'iam-instance-profile',
    managed: true,
    attributes: { arn: profile?.Arn ?? '', roleName: '' },
  });
  if (!profile?.Roles?.some((role) => role.RoleName === roleName)) {
    await call(context, 'iam:AddRoleToInstanceProfile', operation, () =>
      context.iam.send(
        new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: roleName }),
      ),
    );
  }
  context.state.set(stateKeys.iamInstanceProfile, {
    id: name,
    kind: 'iam-instance-profile',
    managed: true,
    attributes: { arn: profile?.Arn ?? '', roleName },
  });
}
