/**
 * The closed set of error codes every Trellis provider reports, taken from Gardener's
 * machine driver contract. Callers branch on `code`, never on a cloud's own error names.
 */
export const ERROR_CODES = [
  'NotFound',
  'AlreadyExists',
  'InvalidArgument',
  'Unauthenticated',
  'PermissionDenied',
  'ResourceExhausted',
  'Throttled',
  'Unavailable',
  'DeadlineExceeded',
  'Canceled',
  'OutOfRange',
  'Unimplemented',
  'Internal',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that a caller may retry as they are (after a backoff) by default. */
const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'Throttled',
  'Unavailable',
  'DeadlineExceeded',
]);

/** A problem found in user config, with the path of the offending field. */
export interface FieldIssue {
  /** Dotted field path with indices, e.g. `networks.zones[1].workers`. Empty for the root. */
  readonly path: string;
  /** What is wrong, in words a user can act on. */
  readonly message: string;
}

/** Options of {@link TrellisError}. */
export interface TrellisErrorOptions {
  /** The error code; see {@link ERROR_CODES}. */
  code: ErrorCode;
  /** Human readable message. Must never contain credentials. */
  message: string;
  /** Provider type name (`aws`, `local`, ...). */
  provider?: string;
  /** Contract operation that failed (`createMachine`, `save`, `reconcile:vpc`, ...). */
  operation?: string;
  /** The cloud's request id, when the cloud returned one. */
  requestId?: string;
  /** Override whether the error is retryable. @default derived from the code */
  retryable?: boolean;
  /** The original error (an SDK error, a system error). */
  cause?: unknown;
  /** Field problems, for `InvalidArgument` raised by config validation. */
  issues?: readonly FieldIssue[];
}

const MARKER = Symbol.for('trellis.error');

/**
 * The one error class of Trellis. Every contract method rejects with a `TrellisError`
 * (never with a raw SDK error), so callers can branch on {@link TrellisError.code}.
 *
 * Use {@link TrellisError.isInstance} instead of `instanceof` where several copies of
 * `@trellis/core` may be installed: it recognises errors from any copy.
 */
export class TrellisError extends Error {
  override readonly name = 'TrellisError';
  /** The error code. */
  readonly code: ErrorCode;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;
  /** Provider type name, when known. */
  readonly provider: string | undefined;
  /** The contract operation, when known. */
  readonly operation: string | undefined;
  /** The cloud's request id, when known. */
  readonly requestId: string | undefined;
  /** Field problems (config validation). Empty otherwise. */
  readonly issues: readonly FieldIssue[];

  constructor(options: TrellisErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? RETRYABLE_CODES.has(options.code);
    this.provider = options.provider;
    this.operation = options.operation;
    this.requestId = options.requestId;
    this.issues = options.issues ?? [];
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for a `TrellisError` from any copy of `@trellis/core`. */
  static isInstance(error: unknown): error is TrellisError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }

  /** True when `error` is a `TrellisError` with the given code. */
  static hasCode(error: unknown, code: ErrorCode): error is TrellisError {
    return TrellisError.isInstance(error) && error.code === code;
  }

  /** A JSON-safe view, for CLIs and logs (no cause, which may carry SDK internals). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      provider: this.provider,
      operation: this.operation,
      requestId: this.requestId,
      issues: this.issues.length > 0 ? this.issues : undefined,
    };
  }
}

/** Shorthand: a `NotFound` error. */
export function notFound(message: string, context: Omit<TrellisErrorOptions, 'code' | 'message'> = {}) {
  return new TrellisError({ ...context, code: 'NotFound', message });
}

/** Shorthand: an `InvalidArgument` error listing every field issue. */
export function invalidArgument(
  message: string,
  issues: readonly FieldIssue[] = [],
  context: Omit<TrellisErrorOptions, 'code' | 'message' | 'issues'> = {},
) {
  // An issue of the value as a whole has no path: show its message alone.
  const detail = issues
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
  return new TrellisError({
    ...context,
    code: 'InvalidArgument',
    message: detail ? `${message}: ${detail}` : message,
    issues,
  });
}

/** A `Canceled` error for an aborted signal, keeping the abort reason as cause. */
export function canceled(reason?: unknown, context: Omit<TrellisErrorOptions, 'code' | 'message'> = {}) {
  const isTimeout = reason instanceof Error && reason.name === 'TimeoutError';
  return new TrellisError({
    ...context,
    code: isTimeout ? 'DeadlineExceeded' : 'Canceled',
    message: isTimeout ? 'the deadline was exceeded' : 'the operation was canceled',
    cause: reason,
  });
}
