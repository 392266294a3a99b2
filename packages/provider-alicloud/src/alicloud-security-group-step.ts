import * as $Ecs from '@alicloud/ecs20140526';
import {
  type AlicloudInfrastructureContext,
  call,
  ensureOwnedResource,
  hasAlicloudCode,
  ownedTagFilter,
  recordedId,
} from './alicloud-infrastructure-context.js';
import { resourceNames, stateKeys } from './alicloud-infrastructure-names.js';

type SecurityGroupItem = $Ecs.DescribeSecurityGroupsResponseBodySecurityGroupsSecurityGroup;

/** One ingress rule as Trellis writes it. */
export interface IngressRule {
  readonly ipProtocol: 'TCP' | 'UDP' | 'ALL';
  readonly portRange: string;
  readonly sourceCidrIp: string;
}

/** The description Trellis puts on its rules: what lets it revoke a stale one and leave yours alone. */
export const RULE_DESCRIPTION = 'trellis';

/**
 * Gardener's rules of the nodes' security group (all ingress, accept, priority 1): node ports from
 * anywhere; TCP and UDP on every port but 23 (telnet) and 514 (rsh/syslog) from the VPC; everything
 * from the pods' network when it is known.
 */
export function ingressRules(vpcCidr: string, podsCidr: string | undefined): IngressRule[] {
  const rules: IngressRule[] = [{ ipProtocol: 'TCP', portRange: '30000/32767', sourceCidrIp: '0.0.0.0/0' }];
  for (const ipProtocol of ['TCP', 'UDP'] as const)
    for (const portRange of ['1/22', '24/513', '515/65535'])
      rules.push({ ipProtocol, portRange, sourceCidrIp: vpcCidr });
  if (podsCidr) rules.push({ ipProtocol: 'ALL', portRange: '-1/-1', sourceCidrIp: podsCidr });
  return rules;
}

const ruleKey = (rule: {
  ipProtocol?: string | undefined;
  portRange?: string | undefined;
  sourceCidrIp?: string | undefined;
}) => `${(rule.ipProtocol ?? '').toUpperCase()} ${rule.portRange ?? ''} ${rule.sourceCidrIp ?? ''}`;

/** Security groups by the given filters, every `NextToken` page. */
export async function describeSecurityGroups(
  context: AlicloudInfrastructureContext,
  fields: Omit<ConstructorParameters<typeof $Ecs.DescribeSecurityGroupsRequest>[0] & object, 'regionId'>,
): Promise<SecurityGroupItem[]> {
  const groups: SecurityGroupItem[] = [];
  let nextToken: string | undefined;
  do {
    const { body } = await call(context, 'DescribeSecurityGroups', () =>
      context.ecs().describeSecurityGroups(
        new $Ecs.DescribeSecurityGroupsRequest({
          ...fields,
          regionId: context.region,
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    groups.push(...(body?.securityGroups?.securityGroup ?? []));
    nextToken = body?.nextToken || undefined;
  } while (nextToken);
  return groups;
}

/** Authorizes the missing rules and revokes Trellis' stale ones. */
async function syncRules(
  context: AlicloudInfrastructureContext,
  securityGroupId: string,
  wanted: readonly IngressRule[],
): Promise<void> {
  const { body } = await call(context, 'DescribeSecurityGroupAttribute', () =>
    context.ecs().describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({
        regionId: context.region,
        securityGroupId,
        direction: 'ingress',
      }),
    ),
  );
  const current = body?.permissions?.permission ?? [];
  const have = new Set(current.map(ruleKey));
  const wantedKeys = new Set(wanted.map(ruleKey));
  const missing = wanted.filter((rule) => !have.has(ruleKey(rule)));
  const stale = current.filter(
    (rule) => rule.description === RULE_DESCRIPTION && !wantedKeys.has(ruleKey(rule)),
  );
  if (stale.length > 0) {
    await call(context, 'RevokeSecurityGroup', () =>
      context.ecs().revokeSecurityGroup(
        new $Ecs.RevokeSecurityGroupRequest({
          regionId: context.region,
          securityGroupId,
          securityGroupRuleId: stale.map((rule) => rule.securityGroupRuleId ?? ''),
        }),
      ),
    );
  }
  if (missing.length === 0) return;
  await call(context, 'AuthorizeSecurityGroup', () =>
    context.ecs().authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: context.region,
        securityGroupId,
        permissions: missing.map(
          (rule) =>
            new $Ecs.AuthorizeSecurityGroupRequestPermissions({
              ...rule,
              policy: 'accept',
              priority: '1',
              nicType: 'intranet',
              description: RULE_DESCRIPTION,
            }),
        ),
      }),
    ),
  );
}

/** The cluster's security groups named `name` (in `vpcId`, when given). */
export const ownedSecurityGroups = (context: AlicloudInfrastructureContext, name: string, vpcId?: string) =>
  describeSecurityGroups(context, {
    ...(vpcId ? { vpcId } : {}),
    tag: ownedTagFilter(context, name, $Ecs.DescribeSecurityGroupsRequestTag),
  });

/**
 * Step `security-group`: `<cluster>-sg` in the VPC, created with its tags and a `ClientToken`, then
 * its rules: the missing ones authorized in one call, Trellis' stale ones (a changed pods network)
 * revoked; rules someone else added stay.
 */
export async function ensureSecurityGroup(context: AlicloudInfrastructureContext): Promise<void> {
  const { cluster, state } = context;
  const vpcId = recordedId(context, stateKeys.vpc);
  const name = resourceNames.securityGroup(cluster);
  const vpcCidr = String(state.get(stateKeys.vpc)?.attributes?.cidr ?? '');
  const wanted = ingressRules(vpcCidr, context.config.podsCidr);
  await ensureOwnedResource(context, {
    key: stateKeys.securityGroup,
    kind: 'security-group',
    name,
    what: 'security group',
    byId: async (securityGroupId) => (await describeSecurityGroups(context, { securityGroupId }))[0],
    owned: () => ownedSecurityGroups(context, name, vpcId),
    create: (clientToken) =>
      call(context, 'CreateSecurityGroup', async () => {
        const { body } = await context.ecs().createSecurityGroup(
          new $Ecs.CreateSecurityGroupRequest({
            regionId: context.region,
            vpcId,
            securityGroupName: name,
            securityGroupType: 'normal',
            description: `Trellis-managed nodes security group of cluster ${cluster}`,
            clientToken,
            tag: ownedTagFilter(context, name, $Ecs.CreateSecurityGroupRequestTag),
          }),
        );
        return body?.securityGroupId;
      }),
    id: (found) => found.securityGroupId ?? '',
    ready: () => true,
    // A repeated AuthorizeSecurityGroup (its answer lost) is refused as a duplicate: read again.
    async finish(group) {
      for (let round = 1; ; round++) {
        try {
          return await syncRules(context, group.securityGroupId ?? '', wanted);
        } catch (error) {
          if (round === 3 || !hasAlicloudCode(error, 'InvalidPermission.Duplicate')) throw error;
        }
      }
    },
    attributes: () => ({ rules: wanted.length }),
  });
}
