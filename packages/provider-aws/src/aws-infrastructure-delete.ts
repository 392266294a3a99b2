import { TrellisError, throwIfAborted } from '@trellis/core';
import { retry } from '@trellis/provider-kit';
import { hasAwsCode, type InfrastructureContext } from './aws-infrastructure-context.js';
import { deleteResource } from './aws-infrastructure-delete-actions.js';
import { discoverUnrecordedResources } from './aws-infrastructure-discovery.js';

/**
 * Reverse dependency order: each stage's resources go in parallel once the stage before is gone.
 * Routes and security group rules go with their tables and groups.
 */
const DELETE_STAGES: readonly (readonly string[])[] = [
  ['vpc-endpoint', 'key-pair', 'iam-instance-profile', 'iam-role-policy'],
  ['iam-role', 'route-table-association'],
  ['route-table', 'security-group'],
  ['nat-gateway'],
  ['elastic-ip', 'subnet'],
  ['internet-gateway'],
  ['vpc'],
  ['dhcp-options'],
];

/** Errors worth retrying during delete: dependents still going away, throttling, 5xx. */
function isRetryableDuringDelete(error: unknown): boolean {
  if (
    hasAwsCode(error, 'DependencyViolation', 'InvalidIPAddress.InUse', 'IncorrectState', 'DeleteConflict')
  ) {
    return true;
  }
  return TrellisError.isInstance(error) && error.retryable;
}

/**
 * Deletes every managed resource in the state, plus what this cluster owns by tag but the state
 * never recorded (see `discoverUnrecordedResources`), stage by stage, forgetting each one (and
 * saving the state) as soon as it is gone; `DependencyViolation` is retried with bounded backoff.
 * Resources recorded as `managed: false` (bring your own) are only forgotten, never touched. An
 * empty state deletes nothing.
 */
export async function deleteInfrastructure(
  context: InfrastructureContext,
  saveState: () => Promise<void>,
): Promise<void> {
  const { state, signal } = context;
  const unmanaged = new Set(
    state
      .entries()
      .filter(([, resource]) => resource.managed === false)
      .map(([, resource]) => resource.id),
  );
  const started = state.entries().length > 0;
  state.clearSteps();
  for (const [key, resource] of state.entries()) {
    if (resource.managed === false) state.remove(key);
  }
  // A state that records anything means a reconcile ran: find what it made but never saved.
  if (started) await discoverUnrecordedResources(context, unmanaged);
  // Write-ahead marks of creates whose result was never saved: discovery found what they made.
  for (const [key] of state.pending()) state.remove(key);
  await saveState();
  const known = new Set(DELETE_STAGES.flat());
  const unknown = state.entries().filter(([, resource]) => !known.has(resource.kind));
  if (unknown.length > 0) {
    throw new Error(`unknown resource kinds in the state: ${unknown.map(([key]) => key).join(', ')}`);
  }
  for (const kinds of DELETE_STAGES) {
    throwIfAborted(signal, { provider: 'aws', operation: 'delete' });
    const keys = state
      .entries()
      .filter(([, resource]) => kinds.includes(resource.kind))
      .map(([key]) => key);
    const results = await Promise.allSettled(
      keys.map(async (key) => {
        await retry(() => deleteResource(context, key), {
          jitter: 'equal',
          ...context.timing.deleteRetry,
          decide: (error) => ({ retry: isRetryableDuringDelete(error) }),
          signal,
          context: { provider: 'aws', operation: `delete:${key}` },
        });
        state.remove(key);
        await saveState();
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
