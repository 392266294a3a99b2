import { cidrContains, type FieldIssue, type InfrastructureState } from '@trellis/core';
import { recordedResource } from '@trellis/provider-kit';
import type { AzureInfrastructureConfig } from './azure-infrastructure-config.js';

/**
 * The problems of reconciling `next` over a state an earlier reconcile wrote, with Gardener's update
 * rules: the VNet stays managed or brought (the same one), a managed VNet's CIDR may only grow,
 * `zoned` stays, the layout (one subnet or a subnet per zone) stays, no zone is removed, subnet
 * CIDRs and NAT gateway SKUs and zones stay. Only what the state records is compared. (Gardener
 * allows one migration from one subnet to a subnet per zone; Trellis does not yet.)
 */
export function checkAzureInfrastructureStateUpdate(
  state: InfrastructureState | undefined,
  next: AzureInfrastructureConfig,
): FieldIssue[] {
  if (!state) return [];
  const issues: FieldIssue[] = [];
  const recorded = (key: string) => recordedResource(state, key);
  const vnet = recorded('vnet');
  if (vnet) {
    const wasBrought = vnet.managed === false;
    if (wasBrought !== Boolean(next.networks.vnet?.name)) {
      issues.push({
        path: 'networks.vnet.name',
        message: 'is immutable: a VNet cannot change from managed to brought or back',
      });
    } else if (
      wasBrought &&
      !vnet.id.toLowerCase().endsWith(`/virtualnetworks/${next.networks.vnet!.name!.toLowerCase()}`)
    ) {
      issues.push({ path: 'networks.vnet.name', message: 'is immutable' });
    }
    const previous = vnet.attributes?.cidr;
    const cidr = next.networks.vnet?.cidr ?? next.networks.workers;
    if (typeof previous === 'string' && cidr !== undefined && !wasBrought && !safeContains(cidr, previous)) {
      issues.push({
        path: 'networks.vnet.cidr',
        message: `may only grow: it must contain the current "${previous}"`,
      });
    }
    if (vnet.attributes?.zoned !== undefined && vnet.attributes.zoned !== Boolean(next.zoned)) {
      issues.push({ path: 'zoned', message: 'is immutable' });
    }
  }
  const subnets = Object.entries(state.resources).filter(
    ([key]) => key.startsWith('subnet/') && recorded(key),
  );
  const wasZonal = subnets.some(([key]) => key.startsWith('subnet/nodes-z'));
  if (subnets.length > 0 && wasZonal !== Boolean(next.networks.zones)) {
    issues.push({
      path: next.networks.zones ? 'networks.zones' : 'networks.workers',
      message: 'the layout (networks.workers or networks.zones) is immutable',
    });
  }
  for (const [key, subnet] of subnets) {
    const zone = key.startsWith('subnet/nodes-z') ? Number(key.slice('subnet/nodes-z'.length)) : undefined;
    const index =
      zone === undefined ? -1 : (next.networks.zones ?? []).findIndex((entry) => entry.name === zone);
    if (zone !== undefined && next.networks.zones && index < 0) {
      issues.push({ path: 'networks.zones', message: `zone ${zone} cannot be removed` });
      continue;
    }
    const cidr = zone === undefined ? next.networks.workers : next.networks.zones?.[index]?.cidr;
    const path = zone === undefined ? 'networks.workers' : `networks.zones[${index}].cidr`;
    if (cidr !== undefined && subnet.attributes?.cidr !== undefined && subnet.attributes.cidr !== cidr) {
      issues.push({ path, message: 'is immutable' });
    }
  }
  // The single-subnet layout's NAT gateway is `nat/<cluster>-nat-gateway`.
  const nat = Object.entries(state.resources).find(
    ([key]) => /^nat\/.+-nat-gateway$/.test(key) && recorded(key),
  )?.[1];
  const wanted = next.networks.natGateway;
  if (nat && wanted?.enabled) {
    if (nat.attributes?.sku !== (wanted.sku ?? 'Standard')) {
      issues.push({ path: 'networks.natGateway.sku', message: 'is immutable' });
    }
    if (nat.attributes?.zone !== wanted.zone)
      issues.push({ path: 'networks.natGateway.zone', message: 'is immutable' });
  }
  return issues;
}

function safeContains(outer: string, inner: string): boolean {
  try {
    return cidrContains(outer, inner);
  } catch {
    return true; // The config rules report a malformed CIDR.
  }
}

/**
 * The problems of changing a config from `previous` to `next` (both valid), with the same rules as
 * {@link checkAzureInfrastructureStateUpdate} but read from the earlier config instead of the state:
 * what an admission webhook checks before anything is reconciled.
 */
export function checkAzureInfrastructureConfigUpdate(
  previous: AzureInfrastructureConfig,
  next: AzureInfrastructureConfig,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const immutable = (path: string) => issues.push({ path, message: 'is immutable' });
  const before = previous.networks;
  const after = next.networks;
  if ((before.vnet?.name ?? null) !== (after.vnet?.name ?? null)) immutable('networks.vnet.name');
  if ((before.vnet?.resourceGroup ?? null) !== (after.vnet?.resourceGroup ?? null))
    immutable('networks.vnet.resourceGroup');
  const oldCidr = before.vnet?.cidr ?? (before.vnet?.name ? undefined : before.workers);
  const newCidr = after.vnet?.cidr ?? (after.vnet?.name ? undefined : after.workers);
  if (oldCidr && newCidr && !safeContains(newCidr, oldCidr)) {
    issues.push({
      path: 'networks.vnet.cidr',
      message: `may only grow: it must contain the current "${oldCidr}"`,
    });
  }
  if (Boolean(previous.zoned) !== Boolean(next.zoned)) immutable('zoned');
  if (Boolean(before.zones) !== Boolean(after.zones)) {
    issues.push({
      path: after.zones ? 'networks.zones' : 'networks.workers',
      message: 'the layout (networks.workers or networks.zones) is immutable',
    });
  } else if (before.workers !== undefined && before.workers !== after.workers) immutable('networks.workers');
  for (const zone of before.zones ?? []) {
    const index = (after.zones ?? []).findIndex((entry) => entry.name === zone.name);
    if (index < 0) issues.push({ path: 'networks.zones', message: `zone ${zone.name} cannot be removed` });
    else if (after.zones![index]!.cidr !== zone.cidr) immutable(`networks.zones[${index}].cidr`);
  }
  if (before.natGateway?.enabled && after.natGateway?.enabled) {
    if ((before.natGateway.sku ?? 'Standard') !== (after.natGateway.sku ?? 'Standard'))
      immutable('networks.natGateway.sku');
    if (before.natGateway.zone !== after.natGateway.zone) immutable('networks.natGateway.zone');
  }
  return issues;
}
