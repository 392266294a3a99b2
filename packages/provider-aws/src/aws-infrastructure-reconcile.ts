import type { GraphStep as InfrastructureStep } from '@trellis/provider-kit';
import { ensureIamInstanceProfile, ensureIamRole, ensureIamRolePolicy } from './aws-iam-steps.js';
import type { InfrastructureContext } from './aws-infrastructure-context.js';
import { deleteKeyPair, deleteVpcEndpoint } from './aws-infrastructure-delete-actions.js';
import { ensureKeyPair } from './aws-infrastructure-key-pair.js';
import { SUBNET_PURPOSES, stateKeys } from './aws-infrastructure-names.js';
import { ensureDhcpOptions, ensureInternetGateway, ensureVpc } from './aws-vpc-network-steps.js';
import {
  ensureGatewayEndpoint,
  ensurePrivateRouteTable,
  ensurePublicRouteTable,
  ensureRouteTableAssociations,
} from './aws-vpc-route-steps.js';
import { ensureSecurityGroup } from './aws-vpc-security-group.js';
import { ensureElasticIp, ensureNatGateway, ensureSubnet } from './aws-vpc-zone-steps.js';

/**
 * The reconcile graph for a config: VPC → DHCP options, internet gateway, security group; per
 * zone subnets, elastic IP → NAT gateway → private route table → associations; public route
 * table; gateway endpoints after every route table; IAM and key pair beside the network.
 */
export function planReconcile(context: InfrastructureContext): InfrastructureStep[] {
  const { config, state } = context;
  const steps: InfrastructureStep[] = [];
  const step = (name: string, dependsOn: string[], run: () => Promise<void>) =>
    steps.push({ name, dependsOn, run });
  const managedVpc = config.networks.vpc.id === undefined;
  const managedZones = config.networks.zones.every((zone) => zone.subnetIds === undefined);

  step('vpc', [], () => ensureVpc(context));
  if (managedVpc) step('dhcp-options', ['vpc'], () => ensureDhcpOptions(context));
  step('internet-gateway', ['vpc'], () => ensureInternetGateway(context));
  step('security-group/nodes', ['vpc'], () => ensureSecurityGroup(context));
  // IAM and the key pair wait for the VPC only so that a wrong bring-your-own VPC fails first.
  step('iam-role', ['vpc'], () => ensureIamRole(context));
  step('iam-role-policy', ['iam-role'], () => ensureIamRolePolicy(context));
  step('iam-instance-profile', ['iam-role'], () => ensureIamInstanceProfile(context));
  if (config.sshPublicKey) {
    step('key-pair', ['vpc'], () => ensureKeyPair(context));
  } else if (state.get(stateKeys.keyPair)) {
    step('key-pair', ['vpc'], () => deleteKeyPair(context));
  }

  const routeTables: string[] = [];
  if (managedZones) {
    step('route-table/public', ['internet-gateway'], () => ensurePublicRouteTable(context));
    routeTables.push('route-table/public');
  }
  config.networks.zones.forEach((zone, index) => {
    const subnetSteps = SUBNET_PURPOSES.map((purpose) => `subnet/${zone.name}/${purpose}`);
    SUBNET_PURPOSES.forEach((purpose, purposeIndex) => {
      step(subnetSteps[purposeIndex]!, ['vpc'], () => ensureSubnet(context, index, purpose));
    });
    if (!managedZones) return;
    const eip = `elastic-ip/${zone.name}`;
    const nat = `nat-gateway/${zone.name}`;
    const table = `route-table/${zone.name}/private`;
    step(eip, [], () => ensureElasticIp(context, index));
    step(nat, [`subnet/${zone.name}/public`, eip, 'internet-gateway'], () =>
      ensureNatGateway(context, index),
    );
    step(table, [nat], () => ensurePrivateRouteTable(context, index));
    step(`route-table-associations/${zone.name}`, [table, 'route-table/public', ...subnetSteps], () =>
      ensureRouteTableAssociations(context, index),
    );
    routeTables.push(table);
  });

  const services = new Set(config.networks.vpc.gatewayEndpoints ?? []);
  for (const service of services) {
    step(`vpc-endpoint/${service}`, ['vpc', ...routeTables], () => ensureGatewayEndpoint(context, service));
  }
  for (const [key] of state.entries()) {
    const service = key.startsWith('vpc-endpoint/') ? key.slice('vpc-endpoint/'.length) : undefined;
    if (service !== undefined && !services.has(service)) {
      step(`vpc-endpoint/${service}`, [], () => deleteVpcEndpoint(context, key));
    }
  }
  return steps;
}
