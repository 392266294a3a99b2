// A machine-pool controller on the provider of TRELLIS_PROVIDER (the local one by default). The
// desired pools come from a watched YAML file, or (TRELLIS_POOLS_SOURCE=kubernetes) from MachinePool
// resources, whose status it writes. It acts only while it leads: a Kubernetes Lease with the
// Kubernetes source, an etcd election when TRELLIS_ETCD_ENDPOINTS names an etcd. It collects orphans
// every minute, logs JSON lines, and stops on SIGTERM with a grace period.
import {
  electLeaderWithEtcd,
  electLeaderWithLease,
  type KubernetesPoolSource,
  type LeaderElection,
  type MachinePool,
  startPoolController,
  watchMachinePoolResources,
  watchPoolFile,
} from '@trellis/controller';
import { type Logger, loadProvider } from '@trellis/core';

const log = (level: string) => (fields: Record<string, unknown>, message?: string) =>
  console.log(JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }));
const logger: Logger = { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };

const type = process.env.TRELLIS_PROVIDER ?? 'local';
const definition = await loadProvider(type, (specifier) => import(specifier));
const settings = JSON.parse(process.env.TRELLIS_PROVIDER_SETTINGS ?? '{}') as Record<string, unknown>;
if (type === 'local') settings.stateDirectory ??= process.env.TRELLIS_STATE_DIRECTORY ?? '.trellis/local';
const provider = definition.create(settings);
const fromKubernetes = process.env.TRELLIS_POOLS_SOURCE === 'kubernetes';
const identity = process.env.HOSTNAME ?? `pid-${process.pid}`;

const endpoints = process.env.TRELLIS_ETCD_ENDPOINTS?.split(',').filter(Boolean) ?? [];
let election: LeaderElection | undefined;
if (fromKubernetes) {
  election = await electLeaderWithLease({
    namespace: process.env.POD_NAMESPACE ?? 'default',
    name: `trellis-machine-pools-${type}`,
    identity,
    logger,
  });
} else if (endpoints.length) {
  election = await electLeaderWithEtcd({ endpoints, name: 'trellis-machine-pools', identity });
}
if (election) {
  logger.info({ identity }, 'waiting to lead');
  await election.whenLeader();
  election.onLost(() => {
    logger.error({}, 'lost the leadership: stopping at once');
    process.exit(1);
  });
}

let resources: KubernetesPoolSource<unknown> | undefined;
const controller = startPoolController({
  provider: provider.machines,
  logger,
  progressMs: Number(process.env.TRELLIS_PROGRESS_MS ?? 2000),
  orphanCollection: { intervalMs: 60_000, minAgeMs: 10 * 60_000 },
  onStatus: (pool, status) => {
    logger.info(
      {
        pool: `${pool.cluster}/${pool.name}`,
        ready: status.ready,
        replicas: status.replicas,
        converged: status.converged,
      },
      'pool status',
    );
    resources
      ?.writeStatus(pool, status)
      .catch((error: Error) => logger.warn({ pool: pool.name, error: error.message }, 'status not written'));
  },
});
const source = {
  validateMachineClass: (machineClass: unknown) => provider.machines.validateSpec(machineClass),
  onPools: (pools: MachinePool<unknown>[]) => {
    logger.info({ pools: pools.map((pool) => `${pool.cluster}/${pool.name}`) }, 'desired pools');
    controller.setPools(pools);
  },
};
let closeSource: () => unknown;
if (fromKubernetes) {
  resources = await watchMachinePoolResources({
    ...source,
    ...(process.env.TRELLIS_NAMESPACE ? { namespace: process.env.TRELLIS_NAMESPACE } : {}),
    provider: type,
    logger,
    onError: (error) => logger.warn({ code: error.code, error: error.message }, 'MachinePool ignored'),
  });
  closeSource = () => resources?.close();
} else {
  const file = process.env.TRELLIS_POOLS_FILE ?? 'pools.yaml';
  const watcher = await watchPoolFile(file, {
    ...source,
    onError: (error) => logger.warn({ file, code: error.code, error: error.message }, 'pool file ignored'),
    intervalMs: 500,
  });
  closeSource = () => watcher.close();
}
logger.info({ provider: type, source: fromKubernetes ? 'kubernetes' : 'file' }, 'controller running');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void Promise.resolve(closeSource())
      .then(() => controller.stop(Number(process.env.TRELLIS_GRACE_MS ?? 30_000)))
      .then(() => election?.resign())
      .then(() => {
        logger.info({ metrics: controller.metrics.snapshot().counters }, 'stopped');
        process.exit(0);
      });
  });
}
