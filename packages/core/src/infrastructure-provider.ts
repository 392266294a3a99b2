import type { CallOptions } from './call-options.js';

/**
 * What an infrastructure reconcile created, persisted by the caller between calls (Gardener's
 * `InfrastructureState`). Plain JSON. Saved after every step, so an interrupted reconcile resumes
 * and `delete` removes exactly what was created.
 */
export interface InfrastructureState {
  /** Version of the state layout. */
  readonly version: 'v1';
  /** Provider type that wrote the state. */
  readonly provider: string;
  /** Resources created, by logical key (e.g. `vpc`, `subnet/eu-west-1a/nodes`) → cloud id and data. */
  readonly resources: Readonly<Record<string, CreatedResource>>;
  /** Steps that completed, in order. */
  readonly completedSteps: readonly string[];
}

/** One resource an infrastructure reconcile created (or adopted, `managed: false`). */
export interface CreatedResource {
  /** Cloud id (`vpc-0abc`, a path, ...). */
  readonly id: string;
  /** Resource kind (`vpc`, `subnet`, `nat-gateway`, ...). */
  readonly kind: string;
  /** False for bring-your-own resources, which `delete` never touches. @default true */
  readonly managed?: boolean;
  /**
   * Provider specific facts (CIDR, zone, ...). Plain JSON. `pending: true` (with an empty `id`) is a
   * write-ahead mark: a create was about to be sent when this state was saved, and its result was
   * not yet recorded. The next reconcile or delete looks the resource up by what the mark records
   * (name, tags, client token) instead of leaking it.
   */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/** The input of a reconcile or delete. */
export interface InfrastructureRequest<Config> {
  /** Cluster name (DNS-1123 label). */
  readonly cluster: string;
  /** Cloud region. */
  readonly region: string;
  /** The provider's infrastructure config; validated before any cloud call. */
  readonly config: Config;
  /** The state a previous call returned, if any. */
  readonly state?: InfrastructureState;
}

/** Options of reconcile and delete. */
export interface InfrastructureCallOptions extends CallOptions {
  /**
   * Called with the new state after every completed step, and before a create whose result a crash
   * could lose (the state then holds a write-ahead mark, see {@link CreatedResource.attributes}).
   * Persist it: when the process dies, the next call resumes from it.
   */
  onState?: (state: InfrastructureState) => void | Promise<void>;
}

/** Subnet ids of one zone, by purpose. */
export interface ZoneSubnets {
  readonly zone: string;
  readonly nodes: string;
  readonly public?: string;
  readonly internal?: string;
}

/** The status every provider reports; providers may extend it. */
export interface InfrastructureStatus {
  /** Network id (VPC, VNet, ...). */
  readonly networkId: string;
  /** Subnets by zone and purpose. */
  readonly subnets: readonly ZoneSubnets[];
  /** Security group / firewall ids for the nodes. */
  readonly securityGroupIds: readonly string[];
  /** Egress (NAT) addresses. */
  readonly egressAddresses: readonly string[];
  /** Instance identity: IAM instance profile, service account, managed identity. */
  readonly identity?: string;
  /** SSH key name. */
  readonly keyName?: string;
}

/**
 * Reconciles and deletes a cluster's network (Gardener's Infrastructure actuator).
 *
 * Rules every implementation keeps:
 * - Config is validated before any cloud call (`InvalidArgument` with field paths).
 * - Reconcile is a graph of small idempotent steps; the state is reported through `onState`
 *   after each one and returned at the end. Reconciling again with the returned state changes
 *   nothing. A reconcile interrupted after any step resumes from its state and ends identical.
 * - Delete removes exactly what the state says was created, in reverse dependency order, and
 *   nothing it did not create (bring-your-own resources stay). Delete with no state is a no-op.
 */
export interface InfrastructureProvider<
  Config = unknown,
  Status extends InfrastructureStatus = InfrastructureStatus,
> {
  /** Version of this contract. */
  readonly specificationVersion: 'v1';
  /** Provider type name. */
  readonly provider: string;
  /** Validates a config without any cloud call; rejects with `InvalidArgument`. */
  validateConfig(config: unknown): Config;
  /** Brings the network to the config; returns the status and the state to persist. */
  reconcile(
    request: InfrastructureRequest<Config>,
    options?: InfrastructureCallOptions,
  ): Promise<{ status: Status; state: InfrastructureState }>;
  /** Deletes what the state says was created. */
  delete(request: InfrastructureRequest<Config>, options?: InfrastructureCallOptions): Promise<void>;
}

/** An empty state for the given provider. */
export function emptyInfrastructureState(provider: string): InfrastructureState {
  return { version: 'v1', provider, resources: {}, completedSteps: [] };
}
