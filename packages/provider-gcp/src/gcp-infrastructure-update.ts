import type { FieldIssue, InfrastructureState } from '@trellis/core';
import { recordedResource } from '@trellis/provider-kit';
import type { GcpInfrastructureConfig } from './gcp-infrastructure-config.js';
import { stateKeys } from './gcp-infrastructure-names.js';

const IMMUTABLE = 'is immutable';

/**
 * The problems of reconciling `next` over a state an earlier reconcile wrote, with Gardener's
 * update rules: the VPC (managed or brought, and its router), the nodes CIDR and the network's MTU
 * stay; the internal subnet may be added or removed but not moved to another CIDR; the service
 * account choice stays. Only what the state records is compared.
 */
export function checkGcpInfrastructureStateUpdate(
  state: InfrastructureState | undefined,
  next: GcpInfrastructureConfig,
): FieldIssue[] {
  if (!state) return [];
  const issues: FieldIssue[] = [];
  const immutable = (path: string) => issues.push({ path, message: IMMUTABLE });
  const recorded = (key: string) => recordedResource(state, key);

  const network = recorded(stateKeys.network);
  if (network) {
    const previous = network.managed === false ? network.id : undefined;
    if (previous !== next.networks.vpc?.name) immutable('networks.vpc.name');
    if (network.managed !== false && network.attributes?.mtu !== next.networks.mtu) immutable('networks.mtu');
  }
  const router = recorded(stateKeys.router);
  if (router) {
    const previous = router.managed === false ? router.id : undefined;
    if (previous !== next.networks.vpc?.cloudRouter?.name) immutable('networks.vpc.cloudRouter.name');
  }
  const nodes = recorded(stateKeys.subnet('nodes'));
  if (nodes?.attributes?.cidr !== undefined && nodes.attributes.cidr !== next.networks.workers) {
    immutable('networks.workers');
  }
  const internal = recorded(stateKeys.subnet('internal'));
  const internalCidr = internal?.attributes?.cidr;
  if (
    internalCidr !== undefined &&
    next.networks.internal !== undefined &&
    internalCidr !== next.networks.internal
  ) {
    immutable('networks.internal');
  }
  const account = recorded(stateKeys.serviceAccount);
  if (account) {
    const choice = next.serviceAccount ?? 'create';
    const same =
      account.managed === false
        ? typeof choice === 'object' && choice.email === account.id
        : choice === 'create';
    if (!same) immutable('serviceAccount');
  }
  return issues;
}

/**
 * The problems of changing a config from `previous` to `next` (both valid), with the same rules as
 * {@link checkGcpInfrastructureStateUpdate} but read from the earlier config: what an admission
 * webhook checks before anything is reconciled.
 */
export function checkGcpInfrastructureConfigUpdate(
  previous: GcpInfrastructureConfig,
  next: GcpInfrastructureConfig,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const immutable = (path: string) => issues.push({ path, message: IMMUTABLE });
  const before = previous.networks;
  const after = next.networks;
  if ((before.vpc?.name ?? null) !== (after.vpc?.name ?? null)) immutable('networks.vpc.name');
  if ((before.vpc?.cloudRouter?.name ?? null) !== (after.vpc?.cloudRouter?.name ?? null)) {
    immutable('networks.vpc.cloudRouter.name');
  }
  if (before.workers !== after.workers) immutable('networks.workers');
  if (before.internal !== undefined && after.internal !== undefined && before.internal !== after.internal) {
    immutable('networks.internal');
  }
  if (!before.vpc && before.mtu !== after.mtu) immutable('networks.mtu');
  if (
    JSON.stringify(previous.serviceAccount ?? 'create') !== JSON.stringify(next.serviceAccount ?? 'create')
  ) {
    immutable('serviceAccount');
  }
  return issues;
}
