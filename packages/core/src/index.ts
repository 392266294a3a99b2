export { z } from 'zod';
export type { BackupStore, ListSnapshotsOptions, SnapshotSource } from './backup-store.js';
export { type CallOptions, callSignal, resolveSignal, throwIfAborted } from './call-options.js';
export {
  type Cidr,
  cidrContains,
  cidrOverlaps,
  isCanonicalCidr,
  parseCidr,
  readConfigIpv4Cidr,
  subnetCidr,
} from './cidr.js';
export {
  canceled,
  ERROR_CODES,
  type ErrorCode,
  type FieldIssue,
  invalidArgument,
  notFound,
  TrellisError,
  type TrellisErrorOptions,
} from './errors.js';
export type { FakeDefinition, FakeFaultSpec, FakeStartOptions, RunningFakes } from './fake-definition.js';
export {
  type CreatedResource,
  emptyInfrastructureState,
  type InfrastructureCallOptions,
  type InfrastructureProvider,
  type InfrastructureRequest,
  type InfrastructureState,
  type InfrastructureStatus,
  type ZoneSubnets,
} from './infrastructure-provider.js';
export {
  type InfrastructureStateOptions,
  infrastructureStateSchema,
  parseInfrastructureState,
  validateInfrastructureState,
} from './infrastructure-state.js';
export { type Logger, silentLogger } from './logger.js';
export {
  CLUSTER_TAG_PREFIX,
  type CreateMachineRequest,
  MACHINE_PHASES,
  type Machine,
  type MachineAddress,
  type MachineAddressType,
  type MachineFilter,
  type MachinePhase,
  type MachineRef,
  machineTags,
  NAME_TAG,
  NODE_ROLE_TAG,
} from './machine.js';
export type { MachineProvider } from './machine-provider.js';
export { checkDns1123Label, checkMachineNames, machineNameIssues } from './names.js';
export {
  type CollectedOrphan,
  collectOrphanMachines,
  DEFAULT_ORPHAN_MIN_AGE_MS,
  type OrphanCollectionOptions,
  type OrphanMachine,
  type OrphanReason,
  type OrphanSelectionOptions,
  selectOrphanMachines,
} from './orphans.js';
export {
  loadProvider,
  type ProviderDefinition,
  providerPackageName,
  registeredProviders,
  registerProvider,
  type TrellisProvider,
} from './provider.js';
export { formatNodeProviderId, formatProviderId, type ProviderId, parseProviderId } from './provider-id.js';
export {
  DEFAULT_MAX_BACKUPS,
  type ExponentialRetentionPolicy,
  type LimitBasedRetentionPolicy,
  type RetentionPolicy,
  selectSnapshotsToDelete,
} from './retention.js';
export {
  COMPRESSION_SUFFIXES,
  type CompressionSuffix,
  type Snapshot,
  type SnapshotKind,
  type StoredSnapshot,
} from './snapshot.js';
export {
  compareSnapshots,
  formatSnapshotKey,
  formatSnapshotName,
  isSnapshotName,
  parseSnapshotName,
  SNAPSHOT_DIRECTORY,
} from './snapshot-name.js';
export {
  type ConfigSchema,
  defineConfigSchema,
  formatFieldPath,
  parseWithSchema,
  toFieldIssues,
  type ValidationResult,
  validateWithSchema,
} from './validation.js';
