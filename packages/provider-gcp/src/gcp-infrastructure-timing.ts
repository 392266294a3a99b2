import type { StepRetryOptions } from '@trellis/provider-kit';

/** Retries of the infrastructure provider; the defaults suit real GCP, tests shrink them. */
export interface GcpInfrastructureTiming {
  /** Retries of a failed step on throttling, 5xx and resources not yet visible. */
  readonly stepRetry: StepRetryOptions;
  /** Retries of a deletion GCE refuses because another resource still uses it. */
  readonly deleteRetry: StepRetryOptions;
}

/** Defaults of {@link GcpInfrastructureTiming}. */
export const DEFAULT_GCP_INFRASTRUCTURE_TIMING: GcpInfrastructureTiming = {
  stepRetry: { attempts: 6, baseDelayMs: 1_000, maxDelayMs: 15_000 },
  deleteRetry: { attempts: 30, baseDelayMs: 2_000, maxDelayMs: 20_000 },
};
