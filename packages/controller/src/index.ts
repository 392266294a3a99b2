/**
 * `@trellis/controller`: building blocks of controllers on Trellis — a client-go style work queue,
 * plain metrics, and a machine-pool reconciler and controller that keep N machines of a machine
 * class on any provider, with rolling replacement and replacement of failed machines.
 *
 * @packageDocumentation
 */

export {
  type EtcdLeaderElectionOptions,
  electLeaderWithEtcd,
  type LeaderElection,
} from './etcd-leader-election.js';
export { type KubeConfigSource, kubeError } from './kubernetes-api.js';
export {
  type KubernetesPoolSource,
  type KubernetesPoolSourceOptions,
  MACHINE_POOL_API,
  type MachinePoolResource,
  watchMachinePoolResources,
} from './kubernetes-pool-source.js';
export { electLeaderWithLease, type LeaseLeaderElectionOptions } from './lease-leader-election.js';
export {
  CLASS_TAG,
  checkMachinePool,
  type MachinePool,
  type MachinePoolStatus,
  machineClassHash,
  POOL_TAG,
  type PoolMachineStatus,
  poolMachineName,
  reconcileMachinePool,
} from './machine-pool.js';
export { machinePoolCustomResourceDefinition } from './machine-pool-crd.js';
export { type HistogramSnapshot, Metrics, type MetricsSnapshot } from './metrics.js';
export { type PoolController, type PoolControllerOptions, startPoolController } from './pool-controller.js';
export { parsePoolDefinition } from './pool-definition.js';
export { type PoolFileOptions, readPoolFile, watchPoolFile } from './pool-file-source.js';
export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
