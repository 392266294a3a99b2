import { TrellisError } from '@trellis/core';
import { Leadership } from './leadership.js';

/** Options of {@link electLeaderWithEtcd}. */
export interface EtcdLeaderElectionOptions {
  /** etcd client URLs. */
  readonly endpoints: readonly string[];
  /** The election: every process that may act on the same pools uses the same name. */
  readonly name: string;
  /** This process (a hostname, a pod name). */
  readonly identity: string;
  /** Seconds the leadership outlives a process that stops renewing it (a killed one). @default 15 */
  readonly ttlSeconds?: number;
}

/** This process's place in a leader election. */
export interface LeaderElection {
  /** True while this process leads. */
  readonly isLeader: boolean;
  /** Resolves once this process leads (at once if it does). */
  whenLeader(signal?: AbortSignal): Promise<void>;
  /** Calls `listener` when the leadership is lost (its lease expired or the connection failed): stop acting at once. */
  onLost(listener: (error: Error) => void): void;
  /** Gives the leadership up (another process takes over at once) and closes the client. */
  resign(): Promise<void>;
}

/**
 * Campaigns for leadership through an etcd election (a key under a lease the client keeps alive):
 * exactly one process leads at a time; a process that dies stops renewing its lease and another
 * takes over within `ttlSeconds`. For a controller whose desired state is a file, where no
 * Kubernetes Lease is at hand. `etcd3` loads on the first call.
 */
export async function electLeaderWithEtcd(options: EtcdLeaderElectionOptions): Promise<LeaderElection> {
  const { Etcd3 } = await import('etcd3');
  const client = new Etcd3({ hosts: [...options.endpoints] });
  const campaign = client.election(options.name, options.ttlSeconds ?? 15).campaign(options.identity);
  const leadership = new Leadership();
  campaign.on('elected', () => leadership.elected());
  campaign.on('error', (error: Error) =>
    leadership.failed(
      error,
      new TrellisError({
        code: 'Unavailable',
        message: `leader election ${options.name} failed: ${error.message}`,
        cause: error,
      }),
    ),
  );
  return {
    get isLeader() {
      return leadership.isLeader;
    },
    whenLeader: (signal) => leadership.whenLeader(signal),
    onLost: (listener) => leadership.onLost(listener),
    async resign() {
      try {
        await campaign.resign();
      } finally {
        leadership.stepDown();
        client.close();
      }
    },
  };
}
