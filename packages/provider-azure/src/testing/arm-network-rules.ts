import { ArmFakeError } from './arm-errors.js';
import type { ArmFakeState, ArmResource } from './arm-fake-state.js';
import { idKey } from './arm-ids.js';

const PUBLIC_IP = 'microsoft.network/publicipaddresses';
const NAT = 'microsoft.network/natgateways';
const SUBNET = 'microsoft.network/virtualnetworks/subnets';
const NSG = 'microsoft.network/networksecuritygroups';
const ROUTE_TABLE = 'microsoft.network/routetables';

type Ref = { id?: string } | undefined;
const refsOf = (resource: ArmResource, property: string): Ref[] => {
  const value = resource.properties[property];
  return Array.isArray(value) ? (value as Ref[]) : value ? [value as Ref] : [];
};

/** Which property of which type holds a reference to a resource of `type`, and the in-use error. */
const REFERENCES: Record<string, { holder: string; property: string; code: string }> = {
  [PUBLIC_IP]: { holder: NAT, property: 'publicIpAddresses', code: 'PublicIPAddressInUse' },
  [NAT]: { holder: SUBNET, property: 'natGateway', code: 'InUseNatGatewayCannotBeDeleted' },
  [NSG]: {
    holder: SUBNET,
    property: 'networkSecurityGroup',
    code: 'InUseNetworkSecurityGroupCannotBeDeleted',
  },
  [ROUTE_TABLE]: { holder: SUBNET, property: 'routeTable', code: 'InUseRouteTableCannotBeDeleted' },
};

/**
 * What ARM does around network resources: a public IP gets an address when created (and keeps it),
 * and one public IP serves one NAT gateway; a NAT gateway's IPs and a subnet's NAT gateway, security
 * group and route table must exist; a public IP, NAT gateway, security group or route table still
 * referenced cannot be deleted (`PublicIPAddressInUse`, `InUseNatGatewayCannotBeDeleted`, ...).
 */
export function networkRules(state: ArmFakeState) {
  const exists = (id: string | undefined) => id !== undefined && state.resources.has(idKey(id));
  let nextAddress = 10;

  function checkRefs(resource: ArmResource, properties: string[]): void {
    for (const property of properties) {
      for (const ref of refsOf(resource, property)) {
        if (!exists(ref?.id)) {
          throw new ArmFakeError(
            400,
            'InvalidResourceReference',
            `Resource ${ref?.id ?? ''} referenced by resource ${resource.id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
          );
        }
      }
    }
  }

  /** Checks and completes a PUT before it is stored. */
  function preparePut(resource: ArmResource, existing: ArmResource | undefined): void {
    const type = resource.type.toLowerCase();
    if (type === PUBLIC_IP) {
      nextAddress += 1;
      resource.properties.ipAddress =
        existing?.properties.ipAddress ??
        `20.${Math.floor(nextAddress / 65536) % 256}.${Math.floor(nextAddress / 256) % 256}.${nextAddress % 256}`;
    }
    if (type === NAT) {
      checkRefs(resource, ['publicIpAddresses']);
      for (const ref of refsOf(resource, 'publicIpAddresses')) {
        const other = state.resources
          .list()
          .find(
            (entry) =>
              entry.value.type.toLowerCase() === NAT &&
              idKey(entry.value.id) !== idKey(resource.id) &&
              refsOf(entry.value, 'publicIpAddresses').some(
                (held) => idKey(held?.id ?? '') === idKey(ref!.id!),
              ),
          );
        if (other) {
          throw new ArmFakeError(
            400,
            'PublicIPAddressInUse',
            `Public IP ${ref!.id} is in use by ${other.value.id}.`,
          );
        }
      }
    }
    if (type === SUBNET) checkRefs(resource, ['natGateway', 'networkSecurityGroup', 'routeTable']);
  }

  /** Refuses the delete of a resource something else still references. */
  function checkDelete(resource: ArmResource): void {
    const rule = REFERENCES[resource.type.toLowerCase()];
    if (!rule) return;
    const holder = state.resources
      .list()
      .find(
        (entry) =>
          entry.value.type.toLowerCase() === rule.holder &&
          refsOf(entry.value, rule.property).some((ref) => idKey(ref?.id ?? '') === idKey(resource.id)),
      );
    if (holder) {
      throw new ArmFakeError(
        400,
        rule.code,
        `${resource.name} is in use by ${holder.value.id} and cannot be deleted.`,
      );
    }
  }

  return { preparePut, checkDelete };
}
