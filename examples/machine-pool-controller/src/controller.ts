// A machine-pool controller: the pools of a YAML file (watched), on the provider of TRELLIS_PROVIDER
// (the local one by default), acting only while it leads when TRELLIS_ETCD_ENDPOINTS names an etcd,
// collecting orphans every minute, logging JSON lines, stopping on SIGTERM with a grace period.
import { electLeaderWithEtcd, startPoolController, watchPoolFile } from '@trellis/controller';
import { type Logger, loadProvider } from '@trellis/core';

const log = (level: string) => (fields: Record<string, unknown>, message?: string) =>
  console.log(JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }));
const logger: Logger = { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };

const type = process.env.TRELLIS_PROVIDER ?? 'local';
const definition = await loadProvider(type, (specifier) => import(specifier));
const settings = JSON.parse(process.env.TRELLIS_PROVIDER_SETTINGS ?? '{}') as Record<string, unknown>;
if (type === 'local') settings.stateDirectory ??= process.env.TRELLIS_STATE_DIRECTORY ?? '.trellis/local';
const provider = definition.create(settings);

const endpoints = process.env.TRELLIS_ETCD_ENDPOINTS?.split(',').filter(Boolean) ?? [];
const election = endpoints.length
  ? await electLeaderWithEtcd({
      endpoints,
      name: 'trellis-machine-pools',
      identity: process.env.HOSTNAME ?? `pid-${process.pid}`,
    })
  : undefined;
if (election) {
  logger.info({ endpoints }, 'waiting to lead');
  await election.whenLeader();
  election.onLost(() => {
    logger.error({}, 'lost the leadership: stopping at once');
    process.exit(1);
  });
}

const controller = startPoolController({
  provider: provider.machines,
  logger,
  progressMs: Number(process.env.TRELLIS_PROGRESS_MS ?? 2000),
  orphanCollection: { intervalMs: 60_000, minAgeMs: 10 * 60_000 },
  onStatus: (pool, status) =>
    logger.info(
      {
        pool: `${pool.cluster}/${pool.name}`,
        ready: status.ready,
        replicas: status.replicas,
        converged: status.converged,
      },
      'pool status',
    ),
});
const file = process.env.TRELLIS_POOLS_FILE ?? 'pools.yaml';
const watcher = await watchPoolFile(file, {
  validateMachineClass: (machineClass) => provider.machines.validateSpec(machineClass),
  onPools: (pools) => {
    logger.info({ file, pools: pools.map((pool) => `${pool.cluster}/${pool.name}`) }, 'desired pools');
    controller.setPools(pools);
  },
  onError: (error) => logger.warn({ file, code: error.code, error: error.message }, 'pool file ignored'),
  intervalMs: 500,
});
logger.info({ provider: type, file }, 'controller running');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    watcher.close();
    void controller
      .stop(Number(process.env.TRELLIS_GRACE_MS ?? 30_000))
      .then(() => election?.resign())
      .then(() => {
        logger.info({ metrics: controller.metrics.snapshot().counters }, 'stopped');
        process.exit(0);
      });
  });
}
