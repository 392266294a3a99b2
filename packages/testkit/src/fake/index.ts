export { CallLog } from './call-log.js';
export { type FakeServer, type StartFakeServerOptions, startFakeServer } from './fake-server.js';
export type {
  CallRecord,
  FakeRequest,
  FakeResponse,
  FaultDecision,
  FaultKind,
  FaultRule,
} from './fake-types.js';
export { FaultInjector } from './fault-injector.js';
