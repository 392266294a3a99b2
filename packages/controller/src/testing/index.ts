/**
 * `@trellis/controller/testing`: an offline Kubernetes API server for testing controllers —
 * MachinePools and Leases over list, watch, get, create, update, patch and delete.
 *
 * @packageDocumentation
 */

export {
  type FakeKubernetes,
  type FakeKubernetesOptions,
  LEASE_RESOURCE,
  MACHINE_POOL_RESOURCE,
  startFakeKubernetes,
} from './fake-kubernetes.js';
export {
  KubeApiError,
  type KubeObject,
  KubeObjectStore,
  type KubeResourceKind,
  type KubeStatus,
  type KubeWatchEvent,
} from './kube-object-store.js';
