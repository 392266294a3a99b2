import { FakeApiError } from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeIamInstanceProfile, FakeIamRole } from './ec2-fake-types.js';
import type { ActionHandler } from './ec2-handler.js';
import type { QueryParams } from './ec2-query.js';
import type { XmlObject } from './ec2-xml.js';

const noSuchEntity = (message: string) => new FakeApiError('NoSuchEntity', message, 404);
const alreadyExists = (message: string) => new FakeApiError('EntityAlreadyExists', message, 409);
const deleteConflict = (message: string) => new FakeApiError('DeleteConflict', message, 409);
const NAME = /^[\w+=,.@-]{1,64}$/;

function name(params: QueryParams, field: string, max = 64): string {
  const value = params.string(field);
  if (value === undefined || value === '') {
    throw new FakeApiError(
      'ValidationError',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
      400,
    );
  }
  if (value.length > max || !NAME.test(value)) {
    throw new FakeApiError('ValidationError', `The specified value for ${field} is invalid.`, 400);
  }
  return value;
}

function policyDocument(params: QueryParams, field: string): string {
  const text = params.string(field);
  if (!text)
    throw new FakeApiError('ValidationError', `Value null at '${field}' failed to satisfy constraint`, 400);
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed))
      throw new Error('no Statement');
  } catch {
    throw new FakeApiError('MalformedPolicyDocument', 'Syntax errors in policy.', 400);
  }
  return text;
}

function roleOf(state: Ec2FakeState, roleName: string): FakeIamRole {
  const role = state.roles.get(roleName);
  if (!role) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
  return role;
}

function profileOf(state: Ec2FakeState, profileName: string): FakeIamInstanceProfile {
  const profile = state.instanceProfiles.get(profileName);
  if (!profile) throw noSuchEntity(`Instance Profile ${profileName} cannot be found.`);
  return profile;
}

const tagsXml = (tags: Array<{ key: string; value: string }>) =>
  tags.map((tag) => ({ Key: tag.key, Value: tag.value }));

/** IAM returns policy documents URL-encoded (RFC 3986), as the real service does. */
const encodePolicy = (document: string) => encodeURIComponent(document);

function roleXml(role: FakeIamRole): XmlObject {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodePolicy(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: 3600,
    Tags: role.tags.length > 0 ? tagsXml(role.tags) : undefined,
  };
}

function profileXml(state: Ec2FakeState, profile: FakeIamInstanceProfile): XmlObject {
  return {
    Path: profile.path,
    InstanceProfileName: profile.instanceProfileName,
    InstanceProfileId: profile.instanceProfileId,
    Arn: profile.arn,
    CreateDate: profile.createDate,
    Roles: profile.roleNames
      .map((roleName) => state.roles.get(roleName))
      .filter(Boolean)
      .map((role) => roleXml(role!)),
    Tags: profile.tags.length > 0 ? tagsXml(profile.tags) : undefined,
  };
}

const uniqueId = (state: Ec2FakeState, prefix: string) =>
  `${prefix}${state.newId('x').slice(2, 19).toUpperCase()}`;

/** The IAM actions the fake serves (`Version=2010-05-08` on the same endpoint). */
export const iamHandlers: Record<string, ActionHandler> = {
  CreateRole({ params, state }) {
    const roleName = name(params, 'RoleName');
    if (state.roles.has(roleName)) throw alreadyExists(`Role with name ${roleName} already exists.`);
    const path = params.string('Path') ?? '/';
    const role: FakeIamRole = {
      roleName,
      roleId: uniqueId(state, 'AROA'),
      arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role${path}${roleName}`,
      path,
      assumeRolePolicyDocument: policyDocument(params, 'AssumeRolePolicyDocument'),
      description: params.string('Description'),
      createDate: new Date(Math.floor(Date.now() / 1000) * 1000),
      policies: new Map(),
      attachedPolicies: [],
      tags: params.tags('Tags'),
    };
    state.roles.set(roleName, role);
    return { Role: roleXml(role) };
  },

  GetRole: ({ params, state }) => ({ Role: roleXml(roleOf(state, name(params, 'RoleName'))) }),

  DeleteRole({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    if (role.policies.size > 0 || role.attachedPolicies.length > 0) {
      throw deleteConflict('Cannot delete entity, must delete policies first.');
    }
    if ([...state.instanceProfiles.values()].some((profile) => profile.roleNames.includes(role.roleName))) {
      throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
    }
    state.roles.delete(role.roleName);
    return undefined;
  },

  PutRolePolicy({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    role.policies.set(name(params, 'PolicyName', 128), policyDocument(params, 'PolicyDocument'));
    return undefined;
  },

  GetRolePolicy({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    const policyName = name(params, 'PolicyName', 128);
    const document = role.policies.get(policyName);
    if (document === undefined)
      throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
    return { RoleName: role.roleName, PolicyName: policyName, PolicyDocument: encodePolicy(document) };
  },

  DeleteRolePolicy({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    const policyName = name(params, 'PolicyName', 128);
    if (!role.policies.delete(policyName)) {
      throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
    }
    return undefined;
  },

  ListRolePolicies({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    return { PolicyNames: [...role.policies.keys()], IsTruncated: false };
  },

  AttachRolePolicy({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    const policyArn = params.string('PolicyArn');
    if (!policyArn?.startsWith('arn:aws:iam::'))
      throw new FakeApiError('InvalidInput', `ARN ${policyArn} is not valid.`, 400);
    if (!role.attachedPolicies.includes(policyArn)) role.attachedPolicies.push(policyArn);
    return undefined;
  },

  DetachRolePolicy({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    const policyArn = params.string('PolicyArn') ?? '';
    if (!role.attachedPolicies.includes(policyArn)) throw noSuchEntity(`Policy ${policyArn} was not found.`);
    role.attachedPolicies = role.attachedPolicies.filter((arn) => arn !== policyArn);
    return undefined;
  },

  ListAttachedRolePolicies({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    return {
      AttachedPolicies: role.attachedPolicies.map((arn) => ({
        PolicyName: arn.split('/').pop(),
        PolicyArn: arn,
      })),
      IsTruncated: false,
    };
  },

  CreateInstanceProfile({ params, state }) {
    const profileName = name(params, 'InstanceProfileName', 128);
    if (state.instanceProfiles.has(profileName)) {
      throw alreadyExists(`Instance Profile ${profileName} already exists.`);
    }
    const path = params.string('Path') ?? '/';
    const profile: FakeIamInstanceProfile = {
      instanceProfileName: profileName,
      instanceProfileId: uniqueId(state, 'AIPA'),
      arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:instance-profile${path}${profileName}`,
      path,
      roleNames: [],
      createDate: new Date(Math.floor(Date.now() / 1000) * 1000),
      tags: params.tags('Tags'),
    };
    state.instanceProfiles.set(profileName, profile);
    return { InstanceProfile: profileXml(state, profile) };
  },

  GetInstanceProfile: ({ params, state }) => ({
    InstanceProfile: profileXml(state, profileOf(state, name(params, 'InstanceProfileName', 128))),
  }),

  DeleteInstanceProfile({ params, state }) {
    const profile = profileOf(state, name(params, 'InstanceProfileName', 128));
    if (profile.roleNames.length > 0)
      throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
    state.instanceProfiles.delete(profile.instanceProfileName);
    return undefined;
  },

  AddRoleToInstanceProfile({ params, state }) {
    const profile = profileOf(state, name(params, 'InstanceProfileName', 128));
    const role = roleOf(state, name(params, 'RoleName'));
    if (profile.roleNames.length > 0) {
      throw new FakeApiError(
        'LimitExceeded',
        'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
        409,
      );
    }
    profile.roleNames.push(role.roleName);
    return undefined;
  },

  RemoveRoleFromInstanceProfile({ params, state }) {
    const profile = profileOf(state, name(params, 'InstanceProfileName', 128));
    const roleName = name(params, 'RoleName');
    roleOf(state, roleName);
    if (!profile.roleNames.includes(roleName)) {
      throw noSuchEntity(
        `Role ${roleName} in Instance Profile ${profile.instanceProfileName} cannot be found.`,
      );
    }
    profile.roleNames = profile.roleNames.filter((candidate) => candidate !== roleName);
    return undefined;
  },

  ListInstanceProfilesForRole({ params, state }) {
    const role = roleOf(state, name(params, 'RoleName'));
    return {
      InstanceProfiles: [...state.instanceProfiles.values()]
        .filter((profile) => profile.roleNames.includes(role.roleName))
        .map((profile) => profileXml(state, profile)),
      IsTruncated: false,
    };
  },
};
