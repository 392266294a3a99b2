import type { KubernetesObject } from '@kubernetes/client-node';
import { invalidArgument, type Logger, silentLogger, TrellisError } from '@trellis/core';
import {
  type KubeConfigSource,
  kubeError,
  loadKubernetesClient,
  resolveKubeConfig,
} from './kubernetes-api.js';
import type { MachinePool, MachinePoolStatus } from './machine-pool.js';
import { parsePoolDefinition } from './pool-definition.js';

/** The `MachinePool` custom resource: group, version and plural. */
export const MACHINE_POOL_API = {
  group: 'trellis.dev',
  version: 'v1alpha1',
  plural: 'machinepools',
} as const;

/** A `trellis.dev/v1alpha1` `MachinePool` as the API server holds it. */
export interface MachinePoolResource extends KubernetesObject {
  spec?: {
    provider?: string;
    cluster?: string;
    replicas?: number;
    maxSurge?: number;
    maxUnavailable?: number;
    userData?: string;
    machineClass?: unknown;
  };
  status?: Record<string, unknown>;
}

/** Options of {@link watchMachinePoolResources}. */
export interface KubernetesPoolSourceOptions<Spec> {
  /** The cluster holding the MachinePools. @default KUBECONFIG, `~/.kube/config`, or in-cluster */
  readonly kubeConfig?: KubeConfigSource;
  /** Watch one namespace. @default every namespace */
  readonly namespace?: string;
  /** Only MachinePools whose `spec.provider` is this type (another controller serves the others). */
  readonly provider?: string;
  /** Only MachinePools with these labels (`team=a,env!=prod`). */
  readonly labelSelector?: string;
  /** Checks each pool's machine class (a provider's `validateSpec`) before it is handed on. */
  readonly validateMachineClass?: (machineClass: unknown) => Spec;
  /** Called with every valid pool whenever the set changes (and once when the first list arrived). */
  readonly onPools: (pools: MachinePool<Spec>[]) => void;
  /** An invalid MachinePool (left out of the pools; its status says why) or a watch that failed (it restarts). */
  readonly onError?: (error: TrellisError) => void;
  readonly logger?: Logger;
  /** First wait before a failed watch is restarted (doubling up to 30 s). @default 1000 */
  readonly restartDelayMs?: number;
}

/** A running Kubernetes source of machine pools. */
export interface KubernetesPoolSource<Spec> {
  /**
   * Writes a pool's status to its MachinePool's status subresource (a merge patch of `status`, with
   * `observedGeneration`); an unchanged status is not written again.
   */
  writeStatus(pool: MachinePool<Spec>, status: MachinePoolStatus): Promise<void>;
  /** Stops watching. */
  close(): Promise<void>;
}

interface Entry<Spec> {
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  readonly created: number;
  readonly pool?: MachinePool<Spec>;
}

const keyOf = (pool: { cluster: string; name: string }) => `${pool.cluster}/${pool.name}`;

/**
 * Desired pools from `MachinePool` custom resources, through a `@kubernetes/client-node` informer
 * (list, then watch from its resource version; restarted with backoff when it fails). Each resource
 * is checked as a pool file entry is, with paths in the resource (`spec.machineClass.zone`); an
 * invalid one is left out, reported to `onError` and told so in its status. The pool's name is the
 * resource's name; two resources naming the same pool of a cluster (in two namespaces) are both
 * reported, and the older one kept. Resolves once the first list was handed to `onPools`; rejects
 * when it cannot be read (no such resource: the CRD is not installed; no permission).
 */
export async function watchMachinePoolResources<Spec>(
  options: KubernetesPoolSourceOptions<Spec>,
): Promise<KubernetesPoolSource<Spec>> {
  const kubernetes = await loadKubernetesClient();
  const config = await resolveKubeConfig(options.kubeConfig);
  const logger = options.logger ?? silentLogger;
  const api = config.makeApiClient(kubernetes.CustomObjectsApi);
  const { group, version, plural } = MACHINE_POOL_API;
  const path = options.namespace
    ? `/apis/${group}/${version}/namespaces/${options.namespace}/${plural}`
    : `/apis/${group}/${version}/${plural}`;
  const list = () =>
    (options.namespace
      ? api.listNamespacedCustomObject({ group, version, plural, namespace: options.namespace })
      : api.listClusterCustomObject({ group, version, plural })) as Promise<{
      items: MachinePoolResource[];
      metadata?: { resourceVersion?: string };
    }>;
  const informer = kubernetes.makeInformer<MachinePoolResource>(config, path, list, options.labelSelector);

  const entries = new Map<string, Entry<Spec>>();
  const written = new Map<string, string>();
  const reportedDuplicates = new Set<string>();
  let last: string | undefined;
  let synced = false;
  let closed = false;

  const patchStatus = async (namespace: string, name: string, status: Record<string, unknown>) => {
    const text = JSON.stringify(status);
    const id = `${namespace}/${name}`;
    if (written.get(id) === text) return;
    try {
      await api.patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace, name, body: { status } },
        kubernetes.setHeaderOptions('Content-Type', kubernetes.PatchStrategy.MergePatch),
      );
      written.set(id, text);
    } catch (error) {
      throw kubeError(error, `patch MachinePool ${id} status`);
    }
  };

  const publish = () => {
    if (!synced || closed) return;
    const byPool = new Map<string, Entry<Spec>[]>();
    for (const entry of entries.values()) {
      if (!entry.pool) continue;
      byPool.set(keyOf(entry.pool), [...(byPool.get(keyOf(entry.pool)) ?? []), entry]);
    }
    const pools: MachinePool<Spec>[] = [];
    const duplicates = new Set<string>();
    for (const [key, claims] of byPool) {
      const [kept, ...others] = claims.sort(
        (a, b) => a.created - b.created || a.namespace.localeCompare(b.namespace),
      );
      pools.push(kept!.pool!);
      for (const other of others) {
        const id = `${other.namespace}/${other.name}`;
        duplicates.add(id);
        if (reportedDuplicates.has(id)) continue;
        options.onError?.(
          invalidArgument(`MachinePool ${other.namespace}/${other.name}`, [
            {
              path: 'metadata.name',
              message: `pool ${key} is already defined by MachinePool ${kept!.namespace}/${kept!.name}`,
            },
          ]),
        );
      }
    }
    reportedDuplicates.clear();
    for (const id of duplicates) reportedDuplicates.add(id);
    pools.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const text = JSON.stringify(pools);
    if (text === last) return;
    last = text;
    options.onPools(pools);
  };

  const upsert = (resource: MachinePoolResource) => {
    const namespace = resource.metadata?.namespace ?? '';
    const name = resource.metadata?.name ?? '';
    const id = `${namespace}/${name}`;
    const spec = resource.spec ?? {};
    if (options.provider && spec.provider !== options.provider) {
      entries.delete(id);
      return publish();
    }
    const parsed = parsePoolDefinition<Spec>(
      {
        name,
        cluster: spec.cluster,
        replicas: spec.replicas,
        machineClass: spec.machineClass,
        ...(spec.userData === undefined ? {} : { userData: spec.userData }),
        ...(spec.maxSurge === undefined ? {} : { maxSurge: spec.maxSurge }),
        ...(spec.maxUnavailable === undefined ? {} : { maxUnavailable: spec.maxUnavailable }),
      },
      'spec',
      options.validateMachineClass,
    );
    const generation = resource.metadata?.generation ?? 0;
    const created = new Date(resource.metadata?.creationTimestamp ?? 0).getTime() || 0;
    const issues = parsed.issues.map((issue) =>
      issue.path === 'spec.name' ? { ...issue, path: 'metadata.name' } : issue,
    );
    if (issues.length === 0) {
      entries.set(id, { namespace, name, generation, created, pool: parsed.pool });
      return publish();
    }
    entries.set(id, { namespace, name, generation, created });
    const error = invalidArgument(`MachinePool ${id}`, issues);
    options.onError?.(error);
    publish();
    patchStatus(namespace, name, {
      observedGeneration: generation,
      converged: false,
      error: { code: error.code, message: error.message },
    }).catch((failure: unknown) =>
      logger.warn({ machinePool: id, error: String((failure as Error).message) }, 'status not written'),
    );
  };
  const remove = (resource: MachinePoolResource) => {
    const id = `${resource.metadata?.namespace ?? ''}/${resource.metadata?.name ?? ''}`;
    entries.delete(id);
    written.delete(id);
    publish();
  };

  let firstError: unknown;
  let restartDelayMs = options.restartDelayMs ?? 1000;
  let restartTimer: NodeJS.Timeout | undefined;
  informer.on('add', upsert);
  informer.on('update', upsert);
  informer.on('delete', remove);
  informer.on('error', (error: unknown) => {
    if (!synced) {
      firstError ??= error;
      return;
    }
    if (closed) return;
    const failure = kubeError(error, 'watch MachinePools');
    options.onError?.(failure);
    logger.warn(
      { error: failure.message, retryInMs: restartDelayMs },
      'MachinePool watch failed; restarting',
    );
    restartTimer = setTimeout(() => {
      informer.start().then(
        () => {
          restartDelayMs = options.restartDelayMs ?? 1000;
        },
        () => {},
      );
    }, restartDelayMs);
    restartDelayMs = Math.min(restartDelayMs * 2, 30_000);
  });

  await informer.start().catch((error: unknown) => {
    firstError ??= error;
  });
  if (firstError) {
    await informer.stop();
    throw kubeError(firstError, `list MachinePools (${path})`);
  }
  synced = true;
  publish();
  if (last === undefined) {
    last = '[]';
    options.onPools([]);
  }

  return {
    async writeStatus(pool, status) {
      const entry = [...entries.values()].find(
        (candidate) => candidate.pool && keyOf(candidate.pool) === keyOf(pool),
      );
      if (!entry)
        throw new TrellisError({
          code: 'NotFound',
          message: `no MachinePool defines pool ${keyOf(pool)}`,
        });
      await patchStatus(entry.namespace, entry.name, {
        observedGeneration: entry.generation,
        replicas: status.replicas,
        ready: status.ready,
        pending: status.pending,
        failed: status.failed,
        outdated: status.outdated,
        converged: status.converged,
        machines: status.machines.map((machine) => ({ ...machine })),
        error: null,
      });
    },
    async close() {
      closed = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
