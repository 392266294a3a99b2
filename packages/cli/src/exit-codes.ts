import { type ErrorCode, TrellisError } from '@trellis/core';
import { CommanderError } from 'commander';

/** The exit codes of the `trellis` command. */
export const EXIT_CODES = {
  /** The command succeeded. */
  ok: 0,
  /** An unexpected failure (`Internal`, `Unimplemented`, a bug). */
  unexpected: 1,
  /** Bad usage or invalid input (`InvalidArgument`): config, names, CIDRs, a corrupt state file. */
  usage: 2,
  /** Something does not exist (`NotFound`): a machine, a snapshot, a config file, a provider package. */
  notFound: 3,
  /** A conflict (`AlreadyExists`, `OutOfRange`: e.g. several VMs for one machine). */
  conflict: 4,
  /** Credentials rejected or missing permission (`Unauthenticated`, `PermissionDenied`). */
  auth: 5,
  /** Worth retrying later (`Throttled`, `Unavailable`, `ResourceExhausted`, `DeadlineExceeded`). */
  retryable: 6,
  /** Canceled, e.g. by Ctrl-C (`Canceled`). */
  canceled: 130,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  InvalidArgument: EXIT_CODES.usage,
  NotFound: EXIT_CODES.notFound,
  AlreadyExists: EXIT_CODES.conflict,
  OutOfRange: EXIT_CODES.conflict,
  Unauthenticated: EXIT_CODES.auth,
  PermissionDenied: EXIT_CODES.auth,
  Throttled: EXIT_CODES.retryable,
  Unavailable: EXIT_CODES.retryable,
  ResourceExhausted: EXIT_CODES.retryable,
  DeadlineExceeded: EXIT_CODES.retryable,
  Canceled: EXIT_CODES.canceled,
  Unimplemented: EXIT_CODES.unexpected,
  Internal: EXIT_CODES.unexpected,
};

/** The exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): number {
  if (TrellisError.isInstance(error)) return BY_CODE[error.code] ?? EXIT_CODES.unexpected;
  if (error instanceof CommanderError) return EXIT_CODES.usage;
  return EXIT_CODES.unexpected;
}

/** The `--help` epilogue listing the exit codes. */
export const EXIT_CODES_HELP = `Exit codes:
  0    ok
  1    unexpected error (Internal, Unimplemented)
  2    usage error or invalid input (InvalidArgument: config, names, CIDRs, corrupt state file)
  3    not found (NotFound: machine, snapshot, config file, provider package)
  4    conflict (AlreadyExists, OutOfRange)
  5    authentication or permission (Unauthenticated, PermissionDenied)
  6    retryable (Throttled, Unavailable, ResourceExhausted, DeadlineExceeded)
  130  canceled (Ctrl-C aborts the running operation)`;
