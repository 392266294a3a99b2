export { CallLog } from './call-log.js';
export { FakeRateLimiter, type FakeRateLimits } from './fake-rate-limits.js';
export {
  FakeRouter,
  jsonResponse,
  queryAction,
  type RoutedRequest,
  type RouteHandler,
  type RouteMatch,
  readJson,
  xmlResponse,
} from './fake-router.js';
export { type FakeServer, type StartFakeServerOptions, startFakeServer } from './fake-server.js';
export { createFakeTlsCertificate, type FakeTlsCertificate } from './fake-tls.js';
export type {
  CallRecord,
  FakeRequest,
  FakeResponse,
  FaultDecision,
  FaultKind,
  FaultRule,
} from './fake-types.js';
export { addStartFaults, FaultInjector, injectFaultShare } from './fault-injector.js';
export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy.js';
export {
  type FakeOperation,
  type FakeOperationStatus,
  OperationStore,
  ResourceStore,
  type StartOperationOptions,
  type StoredResource,
  VersionConflictError,
} from './resource-store.js';
