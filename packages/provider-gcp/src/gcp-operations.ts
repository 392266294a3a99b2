import type { protos } from '@google-cloud/compute';
import { waitForOperation } from '@trellis/provider-kit';
import {
  CALL_OPTIONS,
  globalOperationsClient,
  regionOperationsClient,
  zoneOperationsClient,
} from './gcp-compute-clients.js';
import { operationError } from './gcp-errors.js';
import type { GcpProviderContext } from './gcp-settings.js';

/** A compute Operation as the SDK returns it. */
export type ComputeOperation = protos.google.cloud.compute.v1.IOperation;

const lastSegment = (link: string | null | undefined) => (link ? link.split('/').at(-1) : undefined);

/**
 * Waits for a compute operation to be `DONE` through its own scope's `wait` (zone, region or
 * global, read from the operation's `zone` / `region` links as Gardener does), one call at a time
 * through the rate-limited API. A `DONE` operation with `error.errors[]` rejects with the mapped
 * core error (`QUOTA_EXCEEDED` → `ResourceExhausted`, ...).
 */
export async function waitForComputeOperation(
  context: GcpProviderContext,
  started: ComputeOperation,
  operation: string,
  signal?: AbortSignal,
): Promise<void> {
  const { api, project, settings, clients } = context;
  const zone = lastSegment(started.zone);
  const region = lastSegment(started.region);
  const wait = (name: string): Promise<[ComputeOperation, ...unknown[]]> => {
    if (zone) {
      return api.call(
        'zoneOperations.wait',
        () => zoneOperationsClient(clients).wait({ project, zone, operation: name }, CALL_OPTIONS),
        { operation, signal },
      );
    }
    if (region) {
      return api.call(
        'regionOperations.wait',
        () => regionOperationsClient(clients).wait({ project, region, operation: name }, CALL_OPTIONS),
        { operation, signal },
      );
    }
    return api.call(
      'globalOperations.wait',
      () => globalOperationsClient(clients).wait({ project, operation: name }, CALL_OPTIONS),
      { operation, signal },
    );
  };
  let latest = started;
  await waitForOperation({
    poll: async (attempt) => {
      if (attempt > 1 || latest.status !== 'DONE') [latest] = await wait(latest.name!);
      if (latest.status !== 'DONE') return { done: false };
      const errors = latest.error?.errors ?? [];
      return errors.length > 0
        ? { done: true, error: operationError(errors, operation) }
        : { done: true, result: undefined };
    },
    initialDelayMs: 0,
    nextDelayMs: () => settings.operationPollMs,
    timeoutMs: settings.operationTimeoutMs,
    what: `operation ${started.name}`,
    context: { provider: 'gcp', operation },
    signal,
  });
}
