import { applyFilters, paginate, selectByIds, tagFilterValues } from './ec2-describe.js';
import { dependencyViolation, ec2Error, notFoundError } from './ec2-errors.js';
import { type Ec2FakeState, FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { FakeDhcpOptions, FakeInternetGateway } from './ec2-fake-types.js';
import { type ActionHandler, RETURN_TRUE } from './ec2-handler.js';
import type { XmlObject } from './ec2-xml.js';

function gatewayXml(state: Ec2FakeState, gateway: FakeInternetGateway): XmlObject {
  return {
    internetGatewayId: gateway.internetGatewayId,
    ownerId: FAKE_ACCOUNT_ID,
    attachmentSet: gateway.attachedVpcId ? [{ vpcId: gateway.attachedVpcId, state: 'available' }] : [],
    tagSet: state.tagSet(gateway.internetGatewayId),
  };
}

function dhcpXml(state: Ec2FakeState, options: FakeDhcpOptions): XmlObject {
  return {
    dhcpOptionsId: options.dhcpOptionsId,
    ownerId: FAKE_ACCOUNT_ID,
    dhcpConfigurationSet: options.configurations.map((configuration) => ({
      key: configuration.key,
      valueSet: configuration.values.map((value) => ({ value })),
    })),
    tagSet: state.tagSet(options.dhcpOptionsId),
  };
}

function internetGatewayOf(state: Ec2FakeState, id: string): FakeInternetGateway {
  const gateway = state.internetGateways.get(id);
  if (!gateway) throw notFoundError([id]);
  return gateway;
}

/** Internet gateways and DHCP options. */
export const gatewayHandlers: Record<string, ActionHandler> = {
  CreateInternetGateway({ params, state }) {
    const gateway: FakeInternetGateway = { internetGatewayId: state.newId('igw') };
    state.internetGateways.set(gateway.internetGatewayId, gateway);
    state.applyTagSpecifications(params.tagSpecifications(), {
      'internet-gateway': [gateway.internetGatewayId],
    });
    return { internetGateway: gatewayXml(state, gateway) };
  },

  AttachInternetGateway({ params, state }) {
    const gateway = internetGatewayOf(state, params.required('InternetGatewayId'));
    const vpcId = params.required('VpcId');
    if (!state.vpcs.has(vpcId)) throw notFoundError([vpcId]);
    if (gateway.attachedVpcId) {
      throw ec2Error(
        'Resource.AlreadyAssociated',
        `resource ${gateway.internetGatewayId} is already attached to network ${gateway.attachedVpcId}`,
      );
    }
    const other = [...state.internetGateways.values()].find((candidate) => candidate.attachedVpcId === vpcId);
    if (other) {
      throw ec2Error('InvalidParameterValue', `Network ${vpcId} already has an internet gateway attached`);
    }
    gateway.attachedVpcId = vpcId;
    return RETURN_TRUE;
  },

  DetachInternetGateway({ params, state }) {
    const gateway = internetGatewayOf(state, params.required('InternetGatewayId'));
    const vpcId = params.required('VpcId');
    if (gateway.attachedVpcId !== vpcId) {
      throw ec2Error(
        'Gateway.NotAttached',
        `resource ${gateway.internetGatewayId} is not attached to network ${vpcId}`,
      );
    }
    gateway.attachedVpcId = undefined;
    return RETURN_TRUE;
  },

  DeleteInternetGateway({ params, state }) {
    const gateway = internetGatewayOf(state, params.required('InternetGatewayId'));
    if (gateway.attachedVpcId) {
      throw dependencyViolation(
        `The internetGateway '${gateway.internetGatewayId}' has dependencies and cannot be deleted.`,
      );
    }
    state.internetGateways.delete(gateway.internetGatewayId);
    state.tags.delete(gateway.internetGatewayId);
    return RETURN_TRUE;
  },

  DescribeInternetGateways({ params, state }) {
    const ids = params.strings('InternetGatewayId');
    const gateways = applyFilters(
      selectByIds(state.internetGateways, ids),
      params.filters(),
      (gateway, name) => {
        const tags = tagFilterValues(state, gateway.internetGatewayId, name);
        if (tags) return tags;
        if (name === 'internet-gateway-id') return [gateway.internetGatewayId];
        if (name === 'attachment.vpc-id') return [gateway.attachedVpcId];
        if (name === 'attachment.state') return gateway.attachedVpcId ? ['available'] : [];
        if (name === 'owner-id') return [FAKE_ACCOUNT_ID];
        return undefined;
      },
    );
    const page = paginate(gateways, params);
    return {
      internetGatewaySet: page.items.map((gateway) => gatewayXml(state, gateway)),
      nextToken: page.nextToken,
    };
  },

  CreateDhcpOptions({ params, state }) {
    const configurations = params.list('DhcpConfiguration').map((item) => ({
      key: item.required('Key'),
      values: item.strings('Value'),
    }));
    if (configurations.length === 0)
      throw ec2Error('MissingParameter', 'The request must contain the parameter DhcpConfiguration');
    const options: FakeDhcpOptions = { dhcpOptionsId: state.newId('dopt'), configurations, isDefault: false };
    state.dhcpOptions.set(options.dhcpOptionsId, options);
    state.applyTagSpecifications(params.tagSpecifications(), { 'dhcp-options': [options.dhcpOptionsId] });
    return { dhcpOptions: dhcpXml(state, options) };
  },

  AssociateDhcpOptions({ params, state }) {
    const requested = params.required('DhcpOptionsId');
    const optionsId = requested === 'default' ? state.defaultDhcpOptionsId : requested;
    if (!state.dhcpOptions.has(optionsId)) throw notFoundError([optionsId]);
    const vpcId = params.required('VpcId');
    const vpc = state.vpcs.get(vpcId);
    if (!vpc) throw notFoundError([vpcId]);
    vpc.dhcpOptionsId = optionsId;
    return RETURN_TRUE;
  },

  DeleteDhcpOptions({ params, state }) {
    const optionsId = params.required('DhcpOptionsId');
    if (!state.dhcpOptions.has(optionsId)) throw notFoundError([optionsId]);
    const user = [...state.vpcs.values()].find((vpc) => vpc.dhcpOptionsId === optionsId);
    if (user)
      throw dependencyViolation(`The dhcpOptions '${optionsId}' has dependencies and cannot be deleted.`);
    state.dhcpOptions.delete(optionsId);
    state.tags.delete(optionsId);
    return RETURN_TRUE;
  },

  DescribeDhcpOptions({ params, state }) {
    const ids = params.strings('DhcpOptionsId');
    const all = applyFilters(selectByIds(state.dhcpOptions, ids), params.filters(), (options, name) => {
      const tags = tagFilterValues(state, options.dhcpOptionsId, name);
      if (tags) return tags;
      if (name === 'dhcp-options-id') return [options.dhcpOptionsId];
      if (name === 'key') return options.configurations.map((configuration) => configuration.key);
      if (name === 'value') return options.configurations.flatMap((configuration) => configuration.values);
      if (name === 'owner-id') return [FAKE_ACCOUNT_ID];
      return undefined;
    });
    const page = paginate(all, params);
    return {
      dhcpOptionsSet: page.items.map((options) => dhcpXml(state, options)),
      nextToken: page.nextToken,
    };
  },
};
