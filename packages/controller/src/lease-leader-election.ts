import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { type Logger, silentLogger, TrellisError } from '@trellis/core';
import type { LeaderElection } from './etcd-leader-election.js';
import {
  type KubeConfigSource,
  kubeError,
  kubeStatusCode,
  loadKubernetesClient,
  resolveKubeConfig,
} from './kubernetes-api.js';
import { Leadership } from './leadership.js';

/** Options of {@link electLeaderWithLease}; the durations are client-go's leader election defaults. */
export interface LeaseLeaderElectionOptions {
  readonly kubeConfig?: KubeConfigSource;
  /** Namespace of the Lease (the controller's own). */
  readonly namespace: string;
  /** The Lease: every process that may act on the same pools uses the same one. */
  readonly name: string;
  /** This process (its pod name). */
  readonly identity: string;
  /** How long a leader that stopped renewing keeps the lease, as others observe it. @default 15 */
  readonly leaseDurationSeconds?: number;
  /** A leader that could not renew for this long gives up (less than the lease duration). @default 10 */
  readonly renewDeadlineSeconds?: number;
  /** Time between tries to acquire or renew. @default 2 */
  readonly retryPeriodSeconds?: number;
  readonly logger?: Logger;
}

interface Observed {
  readonly record: string;
  readonly at: number;
}

/**
 * Campaigns for leadership through a `coordination.k8s.io/v1` Lease, as client-go's leader election
 * does: the leader renews `spec.renewTime` every retry period; another process takes the Lease over
 * only when it has seen the record unchanged for a whole lease duration on its own clock (no clock
 * comparison across machines); every write carries the resource version it read, so of two
 * processes racing for an expired Lease one wins and the other gets a conflict. A leader that cannot
 * renew within the renew deadline reports the loss (`onLost`) before anyone else may take over.
 * `resign()` releases the Lease (empty holder) so a successor starts at once.
 */
export async function electLeaderWithLease(options: LeaseLeaderElectionOptions): Promise<LeaderElection> {
  const kubernetes = await loadKubernetesClient();
  const api: CoordinationV1Api = (await resolveKubeConfig(options.kubeConfig)).makeApiClient(
    kubernetes.CoordinationV1Api,
  );
  const logger = options.logger ?? silentLogger;
  const { namespace, name, identity } = options;
  const durationMs = (options.leaseDurationSeconds ?? 15) * 1000;
  const renewDeadlineMs = (options.renewDeadlineSeconds ?? 10) * 1000;
  const retryMs = (options.retryPeriodSeconds ?? 2) * 1000;
  if (!(renewDeadlineMs < durationMs && retryMs < renewDeadlineMs))
    throw new TrellisError({
      code: 'InvalidArgument',
      message:
        'leader election: retryPeriodSeconds < renewDeadlineSeconds < leaseDurationSeconds is required',
    });

  const now = () => new kubernetes.V1MicroTime();
  const leadership = new Leadership();
  let stopped = false;
  let observed: Observed | undefined;
  let renewedAt = 0;
  let wake = () => {};

  const spec = (lease: V1Lease) => lease.spec ?? {};
  /** One try to acquire or renew: true when this process holds the Lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (kubeStatusCode(error) !== 404) throw error;
      const at = now();
      try {
        await api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationMs / 1000,
              acquireTime: at,
              renewTime: at,
              leaseTransitions: 0,
            },
          },
        });
        return true;
      } catch (createError) {
        if (kubeStatusCode(createError) === 409) return false;
        throw createError;
      }
    }
    const current = spec(lease);
    const record = JSON.stringify([current.holderIdentity, current.renewTime, current.leaseTransitions]);
    if (observed?.record !== record) observed = { record, at: Date.now() };
    const holder = current.holderIdentity ?? '';
    const expired = observed.at + (current.leaseDurationSeconds ?? durationMs / 1000) * 1000 <= Date.now();
    if (holder && holder !== identity && !expired) return false;
    const at = now();
    const mine = holder === identity;
    try {
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          metadata: { ...lease.metadata, name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationMs / 1000,
            acquireTime: mine && current.acquireTime ? current.acquireTime : at,
            renewTime: at,
            leaseTransitions: (current.leaseTransitions ?? 0) + (mine ? 0 : 1),
          },
        },
      });
      return true;
    } catch (error) {
      if (kubeStatusCode(error) === 409) return false;
      throw error;
    }
  }

  leadership.onLost((error) =>
    logger.warn({ lease: `${namespace}/${name}`, error: error.message }, 'lost the leadership'),
  );

  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        const held = await tryAcquireOrRenew();
        if (stopped) break;
        if (held) {
          renewedAt = Date.now();
          if (!leadership.isLeader) {
            leadership.elected();
            logger.info({ lease: `${namespace}/${name}`, identity }, 'leading');
          }
        } else {
          leadership.lost(new Error(`Lease ${namespace}/${name} is held by another process`));
        }
      } catch (error) {
        const failure = kubeError(error, `Lease ${namespace}/${name}`);
        if (failure.code === 'Unauthenticated' || failure.code === 'PermissionDenied') {
          leadership.failed(failure);
          return;
        }
        logger.debug({ lease: `${namespace}/${name}`, error: failure.message }, 'lease try failed');
      }
      if (leadership.isLeader && Date.now() - renewedAt > renewDeadlineMs)
        leadership.lost(
          new Error(`Lease ${namespace}/${name} not renewed within ${renewDeadlineMs / 1000} s`),
        );
      // client-go waits a jittered period between tries (jitter 1.2 while not leading).
      const wait = leadership.isLeader ? retryMs : retryMs * (1 + Math.random() * 0.2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, wait - (Date.now() - started)));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    get isLeader() {
      return leadership.isLeader;
    },
    whenLeader: (signal) => leadership.whenLeader(signal),
    onLost: (listener) => leadership.onLost(listener),
    async resign() {
      stopped = true;
      wake();
      await loop;
      if (!leadership.isLeader) return;
      leadership.stepDown();
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        if (spec(lease).holderIdentity !== identity) return;
        const at = now();
        await api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            metadata: { ...lease.metadata, name, namespace },
            spec: {
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: at,
              renewTime: at,
              leaseTransitions: spec(lease).leaseTransitions ?? 0,
            },
          },
        });
      } catch (error) {
        logger.warn(
          { error: kubeError(error, `release Lease ${namespace}/${name}`).message },
          'lease not released',
        );
      }
    },
  };
}
