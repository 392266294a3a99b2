/** The kinds of fault an offline cloud fake can inject. */
export type FaultKind = 'throttle' | 'server-error' | 'latency' | 'lost-response';

/** One fault-injection rule. */
export interface FaultRule {
  kind: FaultKind;
  /** Action name(s) it applies to (e.g. `'RunInstances'`); omitted = every action. */
  actions?: string[];
  /** Probability 0..1 per matching call. @default 1 */
  rate?: number;
  /** Stop after this many injections. @default unlimited */
  times?: number;
  /** Delay before handling, for `'latency'`. @default 100 */
  latencyMs?: number;
  /** HTTP status for `'server-error'`. @default 500 */
  status?: 500 | 503;
}

/** One fault chosen for one call by {@link FaultInjector.decide}. */
export interface FaultDecision {
  kind: FaultKind;
  /** For `'latency'`: how long to wait before handling. */
  latencyMs?: number;
  /** For `'throttle'` and `'server-error'`: the HTTP status to answer with. */
  status?: number;
}

/** One call a fake received. */
export interface CallRecord {
  /** The cloud action (e.g. `'RunInstances'`), as the fake's `actionOf` named it. */
  action: string;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** HTTP status answered; 0 when the response was deliberately lost. */
  status: number;
  /** The fault injected into this call, if any (a latency fault is reported only when nothing else fired). */
  fault?: FaultKind;
}

/** A request as seen by a fake's handler: the whole body is already read. */
export interface FakeRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What a fake's handler answers. */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * A streamed body instead of `body` (a Kubernetes watch, a chunked download): each chunk is
   * written as it comes, without a `content-length`; the response ends when the iterable does.
   * `closed` aborts when the client goes away (a generator waiting for its next chunk should race it).
   */
  stream?: (closed: AbortSignal) => AsyncIterable<string | Buffer>;
}
