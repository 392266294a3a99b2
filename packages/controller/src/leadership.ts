import { TrellisError } from '@trellis/core';

/**
 * What an election knows of this process, whatever decides it (an etcd campaign, a Kubernetes
 * Lease): whether it leads, who waits to lead, who must hear of a loss, and the failure that ended
 * the campaign. The elections only report what happened (`elected`, `lost`, `failed`).
 */
export class Leadership {
  #leader = false;
  #failure: Error | undefined;
  readonly #lostListeners: Array<(error: Error) => void> = [];
  readonly #waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  get isLeader(): boolean {
    return this.#leader;
  }

  /** This process leads now: every waiter goes on. */
  elected(): void {
    this.#leader = true;
    for (const waiter of this.#waiting.splice(0)) waiter.resolve();
  }

  /** This process led and does no more: every `onLost` listener hears it. Nothing when it did not lead. */
  lost(error: Error): void {
    if (!this.#leader) return;
    this.#leader = false;
    for (const listener of this.#lostListeners) listener(error);
  }

  /** Leads no more without a loss to report (it resigned). */
  stepDown(): void {
    this.#leader = false;
  }

  /**
   * The campaign ended for good: a leader loses (its listeners hear `error`), and every waiter,
   * now and later, is rejected with `waiterError`.
   */
  failed(error: Error, waiterError: Error = error): void {
    this.#failure = waiterError;
    this.lost(error);
    for (const waiter of this.#waiting.splice(0)) waiter.reject(waiterError);
  }

  /** Resolves once this process leads (at once if it does); rejects once the campaign failed or `signal` aborts. */
  whenLeader(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#leader) return resolve();
      if (this.#failure) return reject(this.#failure);
      const onAbort = () =>
        reject(new TrellisError({ code: 'Canceled', message: 'stopped waiting for leadership' }));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push({
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
    });
  }

  onLost(listener: (error: Error) => void): void {
    this.#lostListeners.push(listener);
  }
}
