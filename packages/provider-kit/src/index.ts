export { ClientRegistry, type ReleasableClient } from './client-registry.js';
export { deriveClientToken, deriveRequestId, TRELLIS_UUID_NAMESPACE } from './client-token.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export {
  CloudApi,
  type CloudApiOptions,
  type CloudCallOptions,
  type CloudErrorContext,
} from './cloud-api.js';
export {
  gceNetworkTag,
  sanitizeAlicloudTag,
  sanitizeAzureTagName,
  sanitizeAzureTagValue,
  sanitizeGceLabelKey,
  sanitizeGceLabels,
  sanitizeGceLabelValue,
} from './cloud-names.js';
export { codeForHttpStatus, isAbortError, isNetworkError, settledError } from './error-mapping.js';
export {
  createInfrastructureProvider,
  type InfrastructureFlow,
  type InfrastructureFlowInput,
} from './infrastructure-flow.js';
export {
  createStateEmitter,
  InfrastructureStateBook,
  isPending,
  type PendingCreate,
  recordedResource,
} from './infrastructure-state-book.js';
export { KeyedBatcher, type KeyedBatcherOptions } from './keyed-batcher.js';
export {
  lazily,
  lazyBackupStore,
  lazyInfrastructureProvider,
  lazyMachineProvider,
} from './lazy-contracts.js';
export {
  type OperationProgress,
  type WaitForOperationOptions,
  waitForOperation,
} from './operation-waiter.js';
export {
  AZURE_CLUSTER_TAG_PREFIX,
  AZURE_NODE_ROLE_TAG,
  decodeAzureOwnership,
  decodeGceOwnership,
  encodeAzureOwnership,
  encodeGceOwnership,
  GCE_CLUSTER_LABEL,
  GCE_NAME_LABEL,
  GCE_NODE_ROLE_NETWORK_TAG,
  type GceOwnership,
  gceClusterNetworkTag,
  type MachineOwner,
} from './ownership.js';
export { type Page, type PaginateOptions, paginate } from './pagination.js';
export { type RateLimitCharge, RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export {
  type BackoffOptions,
  backoffDelay,
  defaultRetryDecision,
  RetryBudget,
  type RetryDecision,
  type RetryOptions,
  retry,
  retryAfterMs,
} from './retry.js';
export { type SnapshotListing, snapshotListing, storedSnapshot } from './snapshot-listing.js';
export {
  type AbortableSourceOptions,
  abortableSource,
  fixedSizeChunks,
  prefixDirectory,
} from './snapshot-source.js';
export {
  type GraphStep,
  reverseStepGraph,
  runStepGraph,
  type StepGraphOptions,
  type StepGraphReport,
  type StepRetryOptions,
} from './step-graph.js';
export { TokenBucket, type TokenBucketLimit } from './token-bucket.js';
