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
  const quiet = (poller: Poller<T>) => {
    // A PollerLike is also a promise of the final result; its failure is reported by poll().
    poller.catch(() => {});
    return poller;
  };
  // Boxed, so that nothing awaits the PollerLike (a thenable) by accident.
  let { poller } = await api.call(
    action,
    async () => {
      const started = quiet(start());
      await started.submitted();
      return { poller: started };
    },
    { operation, signal },
  );
  let serialized = await poller.serialize();
  await waitForOperation({
    poll: async () => {
      if (!poller.isDone) {
        await api.call(
          'operations.poll',
          async () => {
            try {
              await poller.poll({ abortSignal: signal });
            } catch (error) {
              poller = quiet(restore(serialized));
              throw error;
            }
            serialized = await poller.serialize();
          },
          { operation, signal },
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
