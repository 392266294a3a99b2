import { randomBytes } from 'node:crypto';
import {
  type FakeActionHandler,
  type FakeNetworkHooks,
  type FakeResourceTable,
  numberedPage,
  refuse,
  required,
  tagKeyValueTags,
} from './fake-resource-table.js';

/** One rule of a fake security group. */
export interface FakeSecurityGroupRule {
  readonly SecurityGroupRuleId: string;
  readonly Direction: 'ingress' | 'egress';
  readonly IpProtocol: string;
  readonly PortRange: string;
  readonly SourceCidrIp: string;
  readonly Policy: string;
  readonly Priority: string;
  readonly Description: string;
}

const RULE_FIELDS = ['IpProtocol', 'PortRange', 'SourceCidrIp', 'Policy', 'Priority'] as const;

/** `Permissions.N.*` (or the legacy top-level rule fields), one record per rule. */
function permissionsOf(params: Readonly<Record<string, string>>): Array<Record<string, string>> {
  const rules: Array<Record<string, string>> = [];
  for (let index = 1; index <= 100; index++) {
    const prefix = `Permissions.${index}.`;
    const rule = Object.fromEntries(
      Object.entries(params)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    if (Object.keys(rule).length > 0) rules.push(rule);
  }
  if (rules.length === 0 && params.IpProtocol !== undefined) rules.push({ ...params });
  return rules;
}

const normalized = (rule: Record<string, string>) => ({
  IpProtocol: (rule.IpProtocol ?? '').toUpperCase(),
  PortRange: rule.PortRange ?? '-1/-1',
  SourceCidrIp: rule.SourceCidrIp ?? '',
  Policy: (rule.Policy ?? 'accept').toLowerCase() === 'drop' ? 'Drop' : 'Accept',
  Priority: rule.Priority ?? '1',
});
const sameRule = (
  first: Readonly<Record<(typeof RULE_FIELDS)[number], string>>,
  second: Readonly<Record<(typeof RULE_FIELDS)[number], string>>,
) => RULE_FIELDS.every((field) => first[field] === second[field]);

/**
 * The security group actions of the fake (ECS `2014-05-26`): CreateSecurityGroup (in a VPC, tags),
 * DescribeSecurityGroups (`NextToken`/`MaxResults` or pages, tag filters, `TagKey`/`TagValue`
 * answers), DescribeSecurityGroupAttribute, AuthorizeSecurityGroup and RevokeSecurityGroup with
 * `Permissions.N` (a rule already there is `InvalidPermission.Duplicate`), DeleteSecurityGroup
 * (refused with `DependencyViolation` while an instance uses it).
 */
export function securityGroupHandlers(
  table: FakeResourceTable,
  hooks: FakeNetworkHooks,
  rules: Map<string, FakeSecurityGroupRule[]>,
): Record<string, FakeActionHandler> {
  const groupOf = (id: string | undefined) =>
    table.get('security-group', id, 'InvalidSecurityGroupId.NotFound');

  return {
    CreateSecurityGroup({ params }) {
      const vpcId = required(params, 'VpcId');
      table.get('vpc', vpcId, 'InvalidVpcId.NotFound');
      const group = table.create('security-group', params, params.SecurityGroupName ?? '', {
        VpcId: vpcId,
        Description: params.Description ?? '',
        SecurityGroupType: params.SecurityGroupType ?? 'normal',
      });
      rules.set(group.id, []);
      return { SecurityGroupId: group.id };
    },
    DescribeSecurityGroups({ params }) {
      required(params, 'RegionId');
      const found = table.filter('security-group', params, {
        ids: params.SecurityGroupIds ?? params.SecurityGroupId,
        fields: { VpcId: params.VpcId, Name: params.SecurityGroupName },
      });
      const described = found.map((group) => ({
        SecurityGroupId: group.id,
        SecurityGroupName: group.name,
        Description: group.fields.Description,
        VpcId: group.fields.VpcId,
        SecurityGroupType: group.fields.SecurityGroupType,
        CreationTime: group.creationTime,
        RuleCount: rules.get(group.id)?.length ?? 0,
        Tags: tagKeyValueTags(group.tags),
      }));
      if (params.NextToken === undefined && params.MaxResults === undefined) {
        const { items, ...page } = numberedPage(described, params);
        return { ...page, RegionId: params.RegionId, SecurityGroups: { SecurityGroup: items } };
      }
      const maxResults = Math.min(100, Math.max(10, Number(params.MaxResults ?? 10) || 10));
      const offset = params.NextToken
        ? Number(Buffer.from(params.NextToken, 'base64url').toString('utf8'))
        : 0;
      if (!Number.isInteger(offset))
        refuse('InvalidNextToken.Malformed', 400, 'The specified NextToken is invalid.');
      const next =
        offset + maxResults < described.length
          ? Buffer.from(String(offset + maxResults)).toString('base64url')
          : '';
      return {
        RegionId: params.RegionId,
        NextToken: next,
        TotalCount: described.length,
        SecurityGroups: { SecurityGroup: described.slice(offset, offset + maxResults) },
      };
    },
    DescribeSecurityGroupAttribute({ params }) {
      const group = groupOf(required(params, 'SecurityGroupId'));
      const direction = params.Direction ?? 'all';
      return {
        RegionId: group.regionId,
        SecurityGroupId: group.id,
        SecurityGroupName: group.name,
        VpcId: group.fields.VpcId,
        Description: group.fields.Description,
        InnerAccessPolicy: 'Accept',
        Permissions: {
          Permission: (rules.get(group.id) ?? []).filter(
            (rule) => direction === 'all' || rule.Direction === direction,
          ),
        },
      };
    },
    AuthorizeSecurityGroup({ params }) {
      const group = groupOf(required(params, 'SecurityGroupId'));
      const wanted = permissionsOf(params);
      if (wanted.length === 0) required(params, 'Permissions.1.IpProtocol');
      const current = rules.get(group.id)!;
      const added = wanted.map((rule) => {
        const values = normalized(rule);
        if (!/^(TCP|UDP|ICMP|GRE|ALL)$/.test(values.IpProtocol))
          refuse('InvalidIpProtocol.Malformed', 400, `The protocol ${rule.IpProtocol ?? ''} is not valid.`);
        if (!/^-?\d+\/-?\d+$/.test(values.PortRange))
          refuse('InvalidPortRange.Malformed', 400, `The port range ${values.PortRange} is not valid.`);
        if (current.some((existing) => sameRule(existing, values)))
          refuse('InvalidPermission.Duplicate', 400, 'The specified rule already exists.');
        return {
          ...values,
          Direction: 'ingress' as const,
          Description: rule.Description ?? '',
          SecurityGroupRuleId: `sgr-${randomBytes(10).toString('hex')}`,
        };
      });
      current.push(...added);
      return {};
    },
    RevokeSecurityGroup({ params }) {
      const group = groupOf(required(params, 'SecurityGroupId'));
      const ids = Object.entries(params)
        .filter(([key]) => /^SecurityGroupRuleId\.\d+$/.test(key))
        .map(([, value]) => value);
      const unwanted = permissionsOf(params).map(normalized);
      rules.set(
        group.id,
        rules
          .get(group.id)!
          .filter(
            (rule) =>
              !ids.includes(rule.SecurityGroupRuleId) && !unwanted.some((values) => sameRule(rule, values)),
          ),
      );
      return {};
    },
    DeleteSecurityGroup({ params }) {
      const group = groupOf(required(params, 'SecurityGroupId'));
      if (hooks.instancesUsing('SecurityGroupId', group.id) > 0)
        refuse('DependencyViolation', 403, `There is still instance(s) in the security group ${group.id}.`);
      table.remove(group.id);
      rules.delete(group.id);
      return {};
    },
  };
}
