/** One fault rule of a fake started from the command line (`trellis fake aws --faults throttle:0.2`). */
export interface FakeFaultSpec {
  readonly kind: 'throttle' | 'server-error' | 'latency' | 'lost-response';
  /** Probability per matching call, 0..1. @default 1 */
  readonly rate?: number;
  /** Cloud actions it applies to (`RunInstances`); omitted = every action. */
  readonly actions?: readonly string[];
  /** For `latency`: the delay. */
  readonly latencyMs?: number;
}

/** Options of {@link FakeDefinition.start}. */
export interface FakeStartOptions {
  /** Port of the (first) fake. @default a free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Latency added to every call. */
  readonly latencyMs?: number;
  /** Faults injected into the calls. */
  readonly faults?: readonly FakeFaultSpec[];
}

/** Running offline fakes of a cloud, as a tool shows them to the user. */
export interface RunningFakes {
  /** The endpoints by service (`ec2`, `iam`, `compute`), each a URL. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Provider settings that point the provider at the fakes (a config file's `providerSettings`). */
  readonly providerSettings: Readonly<Record<string, unknown>>;
  /** Environment variables that point the cloud's own CLI and SDKs at the fakes. */
  readonly environment: Readonly<Record<string, string>>;
  /** Notes for the user (what the fakes do not serve, say). */
  readonly notes: readonly string[];
  /** Stops every fake. */
  close(): Promise<void>;
}

/**
 * What a provider's `./testing` entry exports as `fakeDefinition`, so `trellis fake <type>` can
 * start that provider's offline fakes (like moto's server mode).
 */
export interface FakeDefinition {
  /** The provider type name. */
  readonly type: string;
  /** Starts the fakes. */
  start(options?: FakeStartOptions): Promise<RunningFakes>;
}
