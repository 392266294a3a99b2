import { parseCidr } from '@trellis/core';
import { ec2Error } from './ec2-errors.js';
import type { FakeSubnet } from './ec2-fake-types.js';

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

/** Addresses EC2 reserves in every subnet: the network, +1, +2, +3 and the broadcast address. */
const RESERVED_ADDRESSES = 5;

/** How many addresses a subnet has left, as EC2's `availableIpAddressCount`. */
export function availableAddressCount(subnet: FakeSubnet): number {
  const { prefixLength } = parseCidr(subnet.cidrBlock);
  return 2 ** (32 - prefixLength) - RESERVED_ADDRESSES - subnet.usedAddresses.size;
}

/** Takes the next free private address of a subnet (EC2 starts at the network address + 4). */
export function allocatePrivateAddress(subnet: FakeSubnet, requested?: string): string {
  const cidr = parseCidr(subnet.cidrBlock);
  const size = 2n ** BigInt(32 - cidr.prefixLength);
  if (requested !== undefined) {
    let inside: bigint;
    try {
      inside = parseCidr(`${requested}/32`).network;
    } catch {
      throw ec2Error('InvalidParameterValue', `Invalid private IP address ${requested}`);
    }
    if (inside < cidr.network + 4n || inside >= cidr.network + size - 1n) {
      throw ec2Error(
        'InvalidParameterValue',
        `Address ${requested} does not fall within the subnet's address range`,
      );
    }
    if (subnet.usedAddresses.has(requested)) {
      throw ec2Error('InvalidIPAddress.InUse', `Address ${requested} is in use.`);
    }
    subnet.usedAddresses.add(requested);
    return requested;
  }
  for (let offset = 4n; offset < size - 1n; offset += 1n) {
    const address = formatIpv4(cidr.network + offset);
    if (!subnet.usedAddresses.has(address)) {
      subnet.usedAddresses.add(address);
      return address;
    }
  }
  throw ec2Error(
    'InsufficientFreeAddressesInSubnet',
    `There are not enough free addresses in subnet '${subnet.subnetId}' to satisfy the requested number of instances.`,
  );
}

let looseCounter = 0;

/** A private address for an instance launched without a subnet (EC2-Classic style, from 172.31.0.0/16). */
export function loosePrivateAddress(): string {
  looseCounter += 1;
  return `172.31.${Math.floor(looseCounter / 250) % 256}.${(looseCounter % 250) + 4}`;
}

/** EC2's private DNS name for an address (`ip-10-0-0-4.ec2.internal` in us-east-1). */
export function privateDnsName(address: string | undefined, region: string): string {
  if (!address) return '';
  const suffix = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `ip-${address.replaceAll('.', '-')}.${suffix}`;
}

/** EC2's public DNS name for an address. */
export function publicDnsName(address: string | undefined, region: string): string {
  if (!address) return '';
  const suffix = region === 'us-east-1' ? 'compute-1.amazonaws.com' : `${region}.compute.amazonaws.com`;
  return `ec2-${address.replaceAll('.', '-')}.${suffix}`;
}
