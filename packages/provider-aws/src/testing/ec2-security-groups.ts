import { applyFilters, paginate, tagFilterValues } from './ec2-describe.js';
import {
  dependencyViolation,
  ec2Error,
  invalidParameterValue,
  missingParameter,
  notFoundError,
} from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeSecurityGroup, FakeSecurityGroupRule } from './ec2-fake-types.js';
import { type ActionContext, type ActionHandler, RETURN_TRUE } from './ec2-handler.js';
import type { QueryParams } from './ec2-query.js';
import type { XmlObject } from './ec2-xml.js';

const PROTOCOL_NAMES: Record<string, string> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
  all: '-1',
};

function normalizeProtocol(protocol: string): string {
  const lower = protocol.toLowerCase();
  return PROTOCOL_NAMES[lower] ?? lower;
}

type RuleShape = Omit<FakeSecurityGroupRule, 'securityGroupRuleId' | 'description'>;

const ruleKey = (rule: RuleShape) =>
  [
    rule.ipProtocol,
    rule.fromPort,
    rule.toPort,
    rule.cidrIp,
    rule.cidrIpv6,
    rule.prefixListId,
    rule.groupId,
  ].join('|');

/** The rules an Authorize/Revoke request names, one per source, from `IpPermissions.N` or the flat legacy fields. */
function requestedRules(
  state: Ec2FakeState,
  params: QueryParams,
): Array<RuleShape & { description?: string }> {
  const rules: Array<RuleShape & { description?: string }> = [];
  const permissions = params.list('IpPermissions');
  const add = (permission: QueryParams, legacy: boolean) => {
    const ipProtocol = normalizeProtocol(permission.required('IpProtocol'));
    const ports =
      ipProtocol === '-1' ? {} : { fromPort: permission.int('FromPort'), toPort: permission.int('ToPort') };
    const sources: Array<Partial<RuleShape> & { description?: string }> = legacy
      ? [{ cidrIp: permission.string('CidrIp') }]
      : [
          ...permission
            .list('IpRanges')
            .map((range) => ({ cidrIp: range.required('CidrIp'), description: range.string('Description') })),
          ...permission.list('Ipv6Ranges').map((range) => ({
            cidrIpv6: range.required('CidrIpv6'),
            description: range.string('Description'),
          })),
          ...permission.list('PrefixListIds').map((entry) => ({
            prefixListId: entry.required('PrefixListId'),
            description: entry.string('Description'),
          })),
          ...permission.list('Groups').map((group) => {
            const groupId =
              group.string('GroupId') ??
              [...state.securityGroups.values()].find(
                (candidate) => candidate.groupName === group.string('GroupName'),
              )?.groupId;
            if (!groupId)
              throw ec2Error(
                'InvalidGroup.NotFound',
                `The security group '${group.string('GroupName')}' does not exist`,
              );
            if (!state.securityGroups.has(groupId)) throw notFoundError([groupId]);
            return { groupId, description: group.string('Description') };
          }),
        ];
    if (sources.length === 0) throw missingParameter('IpPermissions.IpRanges');
    for (const source of sources) rules.push({ ipProtocol, ...ports, ...source });
  };
  for (const permission of permissions) add(permission, false);
  if (permissions.length === 0 && params.has('IpProtocol')) add(params, true);
  if (rules.length === 0) throw missingParameter('IpPermissions');
  return rules;
}

function groupOf(state: Ec2FakeState, params: QueryParams): FakeSecurityGroup {
  const groupId = params.string('GroupId');
  if (groupId) {
    const group = state.securityGroups.get(groupId);
    if (!group) throw notFoundError([groupId]);
    return group;
  }
  const name = params.string('GroupName');
  if (!name) throw missingParameter('GroupId');
  const group = [...state.securityGroups.values()].find((candidate) => candidate.groupName === name);
  if (!group) throw ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
  return group;
}

function permissionsXml(rules: FakeSecurityGroupRule[]): XmlObject[] {
  const grouped = new Map<string, FakeSecurityGroupRule[]>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}`;
    grouped.set(key, [...(grouped.get(key) ?? []), rule]);
  }
  return [...grouped.values()].map((members) => ({
    ipProtocol: members[0]!.ipProtocol,
    fromPort: members[0]!.fromPort,
    toPort: members[0]!.toPort,
    groups: members
      .filter((rule) => rule.groupId)
      .map((rule) => ({ groupId: rule.groupId, userId: FAKE_ACCOUNT_ID, description: rule.description })),
    ipRanges: members
      .filter((rule) => rule.cidrIp)
      .map((rule) => ({ cidrIp: rule.cidrIp, description: rule.description })),
    ipv6Ranges: members
      .filter((rule) => rule.cidrIpv6)
      .map((rule) => ({ cidrIpv6: rule.cidrIpv6, description: rule.description })),
    prefixListIds: members
      .filter((rule) => rule.prefixListId)
      .map((rule) => ({ prefixListId: rule.prefixListId, description: rule.description })),
  }));
}

function groupXml(state: Ec2FakeState, group: FakeSecurityGroup): XmlObject {
  return {
    ownerId: FAKE_ACCOUNT_ID,
    groupId: group.groupId,
    groupName: group.groupName,
    groupDescription: group.description,
    vpcId: group.vpcId,
    ipPermissions: permissionsXml(group.ingress),
    ipPermissionsEgress: permissionsXml(group.egress),
    tagSet: state.tagSet(group.groupId),
  };
}

function authorize({ params, state }: ActionContext, egress: boolean): XmlObject {
  const group = groupOf(state, params);
  const target = egress ? group.egress : group.ingress;
  const existing = new Set(target.map(ruleKey));
  const added: FakeSecurityGroupRule[] = [];
  for (const rule of requestedRules(state, params)) {
    if (existing.has(ruleKey(rule))) {
      const peer = rule.cidrIp ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.groupId;
      throw ec2Error(
        'InvalidPermission.Duplicate',
        `the specified rule "peer: ${peer}, ${rule.ipProtocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW" already exists`,
      );
    }
    existing.add(ruleKey(rule));
    added.push({ securityGroupRuleId: state.newId('sgr'), ...rule });
  }
  target.push(...added);
  return {
    return: true,
    securityGroupRuleSet: added.map((rule) => ({
      securityGroupRuleId: rule.securityGroupRuleId,
      groupId: group.groupId,
      groupOwnerId: FAKE_ACCOUNT_ID,
      isEgress: egress,
      ipProtocol: rule.ipProtocol,
      fromPort: rule.fromPort ?? -1,
      toPort: rule.toPort ?? -1,
      cidrIpv4: rule.cidrIp,
      cidrIpv6: rule.cidrIpv6,
      prefixListId: rule.prefixListId,
      referencedGroupInfo: rule.groupId ? { groupId: rule.groupId, userId: FAKE_ACCOUNT_ID } : undefined,
      description: rule.description,
    })),
  };
}

function revoke({ params, state }: ActionContext, egress: boolean): XmlObject {
  const group = groupOf(state, params);
  const ruleIds = params.strings('SecurityGroupRuleId');
  const current = egress ? group.egress : group.ingress;
  let remaining: FakeSecurityGroupRule[];
  if (ruleIds.length > 0) {
    const missing = ruleIds.filter((id) => !current.some((rule) => rule.securityGroupRuleId === id));
    if (missing.length > 0) {
      throw ec2Error(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${missing.join(', ')}' does not exist`,
      );
    }
    remaining = current.filter((rule) => !ruleIds.includes(rule.securityGroupRuleId));
  } else {
    const keys = new Set(requestedRules(state, params).map(ruleKey));
    const found = current.filter((rule) => keys.has(ruleKey(rule)));
    if (found.length < keys.size) {
      throw ec2Error(
        'InvalidPermission.NotFound',
        'The specified rule does not exist in this security group.',
      );
    }
    remaining = current.filter((rule) => !keys.has(ruleKey(rule)));
  }
  if (egress) group.egress = remaining;
  else group.ingress = remaining;
  return RETURN_TRUE;
}

/** Security groups and their rules. */
export const securityGroupHandlers: Record<string, ActionHandler> = {
  CreateSecurityGroup({ params, state }) {
    const groupName = params.required('GroupName');
    const description = params.required('GroupDescription');
    const vpcId = params.string('VpcId');
    if (!vpcId) throw ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
    if (!state.vpcs.has(vpcId)) throw notFoundError([vpcId]);
    if (groupName === 'default' || groupName.startsWith('sg-')) {
      throw invalidParameterValue(
        `Value (${groupName}) for parameter GroupName is invalid. Group names may not be in the format sg-* or be 'default'.`,
      );
    }
    const duplicate = [...state.securityGroups.values()].find(
      (group) => group.vpcId === vpcId && group.groupName === groupName,
    );
    if (duplicate) {
      throw ec2Error(
        'InvalidGroup.Duplicate',
        `The security group '${groupName}' already exists for VPC '${vpcId}'`,
      );
    }
    const group: FakeSecurityGroup = {
      groupId: state.newId('sg'),
      groupName,
      description,
      vpcId,
      ingress: [],
      egress: [{ securityGroupRuleId: state.newId('sgr'), ipProtocol: '-1', cidrIp: '0.0.0.0/0' }],
    };
    state.securityGroups.set(group.groupId, group);
    state.applyTagSpecifications(params.tagSpecifications(), { 'security-group': [group.groupId] });
    return { return: true, groupId: group.groupId, tagSet: state.tagSet(group.groupId) };
  },

  DeleteSecurityGroup({ params, state }) {
    const group = groupOf(state, params);
    const vpc = group.vpcId ? state.vpcs.get(group.vpcId) : undefined;
    if (vpc?.defaultSecurityGroupId === group.groupId) {
      throw ec2Error(
        'CannotDelete',
        `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
      );
    }
    const usedByInterface = [...state.networkInterfaces.values()].some((networkInterface) =>
      networkInterface.groups.some((candidate) => candidate.groupId === group.groupId),
    );
    const referenced = [...state.securityGroups.values()].some(
      (other) =>
        other.groupId !== group.groupId &&
        [...other.ingress, ...other.egress].some((rule) => rule.groupId === group.groupId),
    );
    if (usedByInterface || referenced) {
      throw dependencyViolation(`resource ${group.groupId} has a dependent object`);
    }
    state.securityGroups.delete(group.groupId);
    state.tags.delete(group.groupId);
    return RETURN_TRUE;
  },

  DescribeSecurityGroups({ params, state }) {
    const ids = params.strings('GroupId');
    const names = params.strings('GroupName');
    const missing = ids.filter((id) => !state.securityGroups.has(id));
    if (missing.length > 0) throw notFoundError(missing);
    let groups = [...state.securityGroups.values()];
    if (ids.length > 0) groups = groups.filter((group) => ids.includes(group.groupId));
    if (names.length > 0) {
      const unknown = names.filter((name) => !groups.some((group) => group.groupName === name));
      if (unknown.length > 0)
        throw ec2Error('InvalidGroup.NotFound', `The security group '${unknown.join(', ')}' does not exist`);
      groups = groups.filter((group) => names.includes(group.groupName));
    }
    groups = applyFilters(groups, params.filters(), (group, name) => {
      const tags = tagFilterValues(state, group.groupId, name);
      if (tags) return tags;
      if (name === 'group-id') return [group.groupId];
      if (name === 'group-name') return [group.groupName];
      if (name === 'vpc-id') return [group.vpcId];
      if (name === 'description') return [group.description];
      if (name === 'owner-id') return [FAKE_ACCOUNT_ID];
      return undefined;
    });
    const page = paginate(groups, params, { idsGiven: ids.length > 0 });
    return {
      securityGroupInfo: page.items.map((group) => groupXml(state, group)),
      nextToken: page.nextToken,
    };
  },

  AuthorizeSecurityGroupIngress: (context) => authorize(context, false),
  AuthorizeSecurityGroupEgress: (context) => authorize(context, true),
  RevokeSecurityGroupIngress: (context) => revoke(context, false),
  RevokeSecurityGroupEgress: (context) => revoke(context, true),
};
