export { type Clock, systemClock } from './clock.js';
export {
  type DeltaEvent,
  type DeltaKeyValue,
  decodeDeltaPayload,
  encodeDeltaEvent,
  encodeDeltaPayload,
} from './delta-format.js';
export { type DeltaSnapshotOptions, takeDeltaSnapshot, watchRevisions } from './delta-snapshot.js';
export { CompactedRevisionError, RevisionGapError, SnapshotIntegrityError } from './errors.js';
export { createEtcdClient, currentRevision, type EtcdConnectionOptions } from './etcd-connection.js';
export {
  type EtcdServer,
  type EtcdServerOptions,
  findExecutable,
  findFreePort,
  startEtcdServer,
} from './etcd-server.js';
export {
  type RestoreMemberOptions,
  restoreSnapshotFile,
  type SnapshotFileStatus,
  snapshotFileStatus,
} from './etcdctl.js';
export { type FullSnapshotOptions, takeFullSnapshot } from './full-snapshot.js';
export { FullSnapshotSchedule } from './full-snapshot-schedule.js';
export { LzwDecoder, lzwEncode } from './lzw.js';
export { type RestoreOptions, type RestoreResult, restoreEtcd } from './restore.js';
export { planRestore, type RestorePlan, type RestoreTarget } from './restore-plan.js';
export {
  type SnapshotReason,
  Snapshotter,
  type SnapshotterEvents,
  type SnapshotterOptions,
} from './snapshotter.js';
