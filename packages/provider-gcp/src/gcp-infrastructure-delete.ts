import { type CreatedResource, TrellisError, throwIfAborted } from '@trellis/core';
import { isPending, retry } from '@trellis/provider-kit';
import { CALL_OPTIONS } from './gcp-compute-clients.js';
import {
  deleteNamed,
  type GcpInfrastructureContext,
  getOrUndefined,
  isResourceInUse,
  ownedDescription,
} from './gcp-infrastructure-context.js';
import { FIREWALL_RULES } from './gcp-infrastructure-names.js';
import { removeNat } from './gcp-nat-step.js';
import { deleteServiceAccount, isOwnServiceAccount } from './gcp-service-account-step.js';

/**
 * Reverse dependency order, by resource kind: each stage goes in parallel once the one before is
 * gone. The NAT goes with its router when the router is Trellis'; on a user's router it is removed
 * from the router's NAT list first.
 */
const DELETE_STAGES: readonly (readonly string[])[] = [
  ['service-account', 'firewall'],
  ['nat'],
  ['router'],
  ['subnet'],
  ['network'],
];

/** The name a recorded resource or a write-ahead mark carries. */
function nameOf(resource: CreatedResource): string {
  return isPending(resource) ? String(resource.attributes?.name ?? '') : resource.id;
}

/** The description Trellis gave a resource of `kind` named `name` (see the ensure steps). */
function descriptionFor(context: GcpInfrastructureContext, kind: string, name: string): string {
  const { names } = context;
  if (kind === 'subnet') {
    return ownedDescription(
      name === names.internalSubnet ? 'internal subnet' : 'nodes subnet',
      context.cluster,
    );
  }
  if (kind === 'firewall') {
    const rule = FIREWALL_RULES.find((candidate) => names.firewall(candidate) === name);
    return ownedDescription(`firewall rule ${rule}`, context.cluster);
  }
  return ownedDescription(kind, context.cluster);
}

/** GET of a compute resource by kind and name. */
function getCompute(context: GcpInfrastructureContext, kind: string, name: string) {
  const { compute, project, region } = context;
  switch (kind) {
    case 'network':
      return getOrUndefined(context, 'networks.get', () =>
        compute.networks.get({ project, network: name }, CALL_OPTIONS),
      );
    case 'subnet':
      return getOrUndefined(context, 'subnetworks.get', () =>
        compute.subnetworks.get({ project, region, subnetwork: name }, CALL_OPTIONS),
      );
    case 'router':
      return getOrUndefined(context, 'routers.get', () =>
        compute.routers.get({ project, region, router: name }, CALL_OPTIONS),
      );
    default:
      return getOrUndefined(context, 'firewalls.get', () =>
        compute.firewalls.get({ project, firewall: name }, CALL_OPTIONS),
      );
  }
}

/**
 * True when a write-ahead mark's resource is Trellis' for this cluster: a create whose result was
 * never saved may have made it (then it carries the description), or not (then it is missing or
 * someone else's, and stays).
 */
async function isOwnPending(context: GcpInfrastructureContext, kind: string, name: string): Promise<boolean> {
  if (kind === 'nat') return true; // Its name is the cluster's; removeNat touches nothing else.
  if (kind === 'service-account') return isOwnServiceAccount(context, name);
  const found = await getCompute(context, kind, name);
  return found?.description === descriptionFor(context, kind, name);
}

/** Deletes one resource Trellis created; a missing one is success. */
async function deleteResource(context: GcpInfrastructureContext, resource: CreatedResource): Promise<void> {
  const { compute, project, region } = context;
  const name = nameOf(resource);
  switch (resource.kind) {
    case 'service-account':
      return deleteServiceAccount(context, name);
    case 'nat':
      return removeNat(context);
    case 'firewall':
      return deleteNamed(context, 'firewalls', (requestId) =>
        compute.firewalls.delete({ project, firewall: name, requestId }, CALL_OPTIONS),
      );
    case 'router':
      return deleteNamed(context, 'routers', (requestId) =>
        compute.routers.delete({ project, region, router: name, requestId }, CALL_OPTIONS),
      );
    case 'subnet':
      return deleteNamed(context, 'subnetworks', (requestId) =>
        compute.subnetworks.delete({ project, region, subnetwork: name, requestId }, CALL_OPTIONS),
      );
    case 'network':
      return deleteNamed(context, 'networks', (requestId) =>
        compute.networks.delete({ project, network: name, requestId }, CALL_OPTIONS),
      );
    default:
      throw new Error(`unknown resource kind in the state: ${resource.kind}`);
  }
}

/**
 * The firewall rules the cluster's cloud controller manager made in the network (names starting
 * with `k8s`, targeting the cluster's nodes), which Gardener deletes too: left behind, they keep a
 * Trellis network from being deleted, and they open a shared VPC to addresses nobody uses.
 */
async function cloudControllerFirewalls(context: GcpInfrastructureContext): Promise<string[]> {
  const { compute, project, names, cluster } = context;
  const found = await context.gcp.api.call(
    'firewalls.list',
    () =>
      compute.firewalls.list(
        { project, filter: `network eq ".*/networks/${names.network}$"`, maxResults: 500 },
        { ...CALL_OPTIONS, autoPaginate: true },
      ),
    { operation: context.operation, signal: context.signal },
  );
  const tags = new Set([cluster, names.clusterTag]);
  return found[0]
    .filter(
      (rule) => (rule.name ?? '').startsWith('k8s') && (rule.targetTags ?? []).some((tag) => tags.has(tag)),
    )
    .map((rule) => rule.name!);
}

function isRetryableDuringDelete(error: unknown): boolean {
  return isResourceInUse(error) || (TrellisError.isInstance(error) && error.retryable);
}

/**
 * Deletes what the state records, stage by stage, forgetting each one (and saving the state) as
 * soon as it is gone; "in use by another resource" is retried with bounded backoff. Resources
 * recorded as `managed: false` (a user's VPC, router or service account) are only forgotten; a
 * write-ahead mark's resource goes only when it carries Trellis' description for the cluster.
 */
export async function deleteGcpInfrastructure(context: GcpInfrastructureContext): Promise<void> {
  const { state, signal } = context;
  state.clearSteps();
  const routerManaged = state.get('router')?.managed !== false;
  const hadNetwork = state.get('network') !== undefined;
  for (const [key, resource] of state.entries()) {
    if (resource.managed === false) state.remove(key);
  }
  for (const [key, resource] of state.pending()) {
    if (!(await isOwnPending(context, resource.kind, nameOf(resource)))) state.remove(key);
  }
  if (hadNetwork) {
    for (const name of await cloudControllerFirewalls(context)) {
      state.set(`firewall/cloud-controller/${name}`, { id: name, kind: 'firewall' });
    }
  }
  await context.saveState();
  const known = new Set(DELETE_STAGES.flat());
  const unknown = state.entries().filter(([, resource]) => !known.has(resource.kind));
  if (unknown.length > 0) {
    throw new Error(`unknown resource kinds in the state: ${unknown.map(([key]) => key).join(', ')}`);
  }
  for (const kinds of DELETE_STAGES) {
    throwIfAborted(signal, { provider: 'gcp', operation: 'delete' });
    const entries = state.entries().filter(([, resource]) => kinds.includes(resource.kind));
    const results = await Promise.allSettled(
      entries.map(async ([key, resource]) => {
        // Trellis' router takes its NAT with it.
        if (!(resource.kind === 'nat' && routerManaged)) {
          await retry(() => deleteResource(context, resource), {
            jitter: 'equal',
            ...context.timing.deleteRetry,
            decide: (error) => ({ retry: isRetryableDuringDelete(error) }),
            signal,
            context: { provider: 'gcp', operation: `delete:${key}` },
          });
        }
        state.remove(key);
        await context.saveState();
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
