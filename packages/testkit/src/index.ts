export { backupStoreConformance } from './backup-store-conformance.js';
export {
  BACKUP_CONFORMANCE_CASES,
  type BackupConformanceCase,
  type BackupConformanceOptions,
  type BackupConformanceSubject,
} from './backup-store-conformance-types.js';
export { type BenchResult, reportBenchmark } from './bench-report.js';
export {
  collectBytes,
  failingSource,
  type RandomBytesOptions,
  randomBytesSource,
  sha256Of,
} from './byte-streams.js';
export type { SkipMap } from './conformance-cases.js';
export {
  coldImportCost,
  compareColdImports,
  type ImportCost,
  type ImportCostSummary,
} from './import-cost.js';
export { infrastructureProviderConformance } from './infrastructure-provider-conformance.js';
export {
  INFRASTRUCTURE_CONFORMANCE_CASES,
  type InfrastructureConformanceCase,
  type InfrastructureConformanceOptions,
  type InfrastructureConformanceSubject,
} from './infrastructure-provider-conformance-types.js';
export { machineProviderConformance } from './machine-provider-conformance.js';
export {
  MACHINE_CONFORMANCE_CASES,
  type MachineConformanceCase,
  type MachineConformanceOptions,
  type MachineConformanceSubject,
} from './machine-provider-conformance-types.js';
export {
  createMemoryBackupStore,
  type MemoryBackupStore,
  type MemoryBackupStoreOptions,
} from './memory-backup-store.js';
export {
  type MemoryInfrastructureConfig,
  memoryInfrastructureConfigSchema,
} from './memory-infrastructure-config.js';
export {
  createMemoryInfrastructureProvider,
  type MemoryInfrastructureProvider,
} from './memory-infrastructure-provider.js';
export {
  createMemoryMachineProvider,
  type MemoryMachineProvider,
  type MemoryMachineProviderOptions,
  type MemoryMachineSpec,
  type MemoryProviderIdFormat,
  memoryMachineSpecSchema,
} from './memory-machine-provider.js';
export { modulesLoadedBy } from './module-loading.js';
export {
  compareSaveThroughput,
  patternedBytes,
  type SaveThroughputOptions,
  type SaveThroughputResult,
} from './save-throughput.js';
