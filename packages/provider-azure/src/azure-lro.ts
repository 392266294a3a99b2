import type { OperationState, PollerLike } from '@azure/core-lro';
import { waitForOperation } from '@trellis/provider-kit';
import type { AzureProviderContext } from './azure-settings.js';

type Poller<T> = PollerLike<OperationState<T>, T>;

/**
 * Runs one ARM long-running operation through the rate-limited API: the initial request (retried
 * as a whole: ARM's PUT and DELETE are idempotent), then one poll at a time until it is done, each
 * poll retried on throttling and 5xx. A core-lro poller is spent by one failed poll, so each retry
 * polls from a poller restored from the last good state. A failed operation rejects with its
 * mapped code (`AllocationFailed` → `ResourceExhausted`).
 */
export async function runLro<T>(
  context: AzureProviderContext,
  action: string,
  start: () => Poller<T>,
  restore: (serialized: string) => Poller<T>,
  options: { operation: string; signal?: AbortSignal | undefined },
): Promise<T | undefined> {
  const { api, settings } = context;
  const { operation, signal } = options;
  // Never `then`, `catch` or `await` a PollerLike: each starts core-lro's own pollUntilDone in the
  // background, polls that bypass the rate limits and retries (and double ARM's read count).
  // Boxed, so that nothing awaits the PollerLike (a thenable) by accident.
  let { poller } = await api.call(
    action,
    async () => {
      const started = start();
      await started.submitted();
      return { poller: started };
    },
    { operation, signal },
  );
  let serialized = await poller.serialize();
  const finalRead = /\.(createOrUpdate|update)$/.test(action);
  await waitForOperation({
    poll: async () => {
      if (!poller.isDone) {
        await api.call(
          'operations.poll',
          async () => {
            try {
              await poller.poll({ abortSignal: signal });
            } catch (error) {
              poller = restore(serialized);
              throw error;
            }
            serialized = await poller.serialize();
          },
          // The poll that sees a create or update succeed also reads the resource back (core-lro's
          // final GET): ARM counts both reads, so the poll takes two tokens.
          { operation, signal, resources: finalRead ? 2 : 1 },
        );
      }
      return poller.isDone ? { done: true, result: undefined } : { done: false };
    },
    initialDelayMs: 0,
    nextDelayMs: () => settings.operationPollMs,
    timeoutMs: settings.operationTimeoutMs,
    what: `${action} of ${operation}`,
    context: { provider: 'azure', operation },
    signal,
  });
  return poller.result;
}
