import type { InfrastructureProvider, InfrastructureStatus } from '@trellis/core';
import type { SkipMap } from './conformance-cases.js';

/** The cases of {@link infrastructureProviderConformance}, in the order they run. */
export const INFRASTRUCTURE_CONFORMANCE_CASES = [
  'invalid-config-is-invalid-argument',
  'reconcile-from-nothing',
  'reconcile-again-changes-nothing',
  'interrupted-reconcile-resumes',
  'delete-removes-what-it-created',
  'delete-without-state-is-noop',
] as const;

/**
 * One case of {@link infrastructureProviderConformance}:
 * - `invalid-config-is-invalid-argument`: each invalid config is `InvalidArgument` with its issue
 *   path (from `reconcile` and `validateConfig`); the inventory is unchanged.
 * - `reconcile-from-nothing`: the status names a network, one subnet per zone and security groups,
 *   all created by the reconcile; `onState` is called once per completed step, last with the
 *   returned state.
 * - `reconcile-again-changes-nothing`: reconciling with the returned state gives the same state,
 *   status and inventory.
 * - `interrupted-reconcile-resumes`: after a clean reference run of S steps, for k = 1..S the
 *   signal is aborted in the k-th `onState` call and the reconcile must reject with `Canceled`;
 *   resuming from the last reported state creates exactly as many resources as the clean run
 *   (none leaked, none duplicated), reconciling again changes nothing, and delete restores the
 *   inventory.
 * - `delete-removes-what-it-created`: delete restores the inventory taken before reconcile; a
 *   foreign resource survives; deleting again with the same state succeeds and changes nothing.
 * - `delete-without-state-is-noop`: delete without state (or with an empty one) leaves even the
 *   cluster's own resources alone.
 */
export type InfrastructureConformanceCase = (typeof INFRASTRUCTURE_CONFORMANCE_CASES)[number];

/** What `setup` returns: the provider under test and views into the cloud behind it. */
export interface InfrastructureConformanceSubject<Config, Status extends InfrastructureStatus> {
  provider: InfrastructureProvider<Config, Status>;
  region: string;
  /** A valid config; the suite uses a unique cluster name per case, so one config can be reused. */
  config: Config;
  /** Configs that must be rejected with InvalidArgument; `path` must appear among error.issues paths. */
  invalidConfigs: Array<{ config: unknown; path: string }>;
  /** Ids of every resource that exists in the cloud/fake now (any owner). */
  inventory: () => Promise<string[]>;
  /** Creates a resource the provider did not create; returns its id. Optional. */
  createForeignResource?: () => Promise<string>;
  /** The zones `config` asks for; when given, the status must hold exactly one subnet entry per zone. */
  zones?: string[];
  /** Called in afterAll. */
  cleanup?: () => Promise<void>;
}

/** Options of {@link infrastructureProviderConformance}. */
export interface InfrastructureConformanceOptions<Config, Status extends InfrastructureStatus> {
  /** Shown in the describe() title. */
  name: string;
  /** Called once in beforeAll. */
  setup: () => Promise<InfrastructureConformanceSubject<Config, Status>>;
  /** Cases to skip, each with the reason shown in the skipped test's title. */
  skip?: SkipMap<InfrastructureConformanceCase>;
  /** Per-test timeout. @default 120_000 */
  timeoutMs?: number;
}
