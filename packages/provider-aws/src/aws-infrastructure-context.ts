import type { EC2Client, Tag } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import { type Logger, TrellisError } from '@trellis/core';
import { type InfrastructureStateBook, retry, type StepRetryOptions } from '@trellis/provider-kit';
import type { AwsApi } from './aws-api.js';
import { awsErrorCode } from './aws-errors.js';
import type { AwsInfrastructureConfig } from './aws-infrastructure-config.js';

/** Timings of the infrastructure provider; the defaults suit real AWS, tests shrink them. */
export interface AwsInfrastructureTiming {
  /** Interval between polls while waiting for a NAT gateway. @default 5000 */
  readonly pollIntervalMs: number;
  /** How long to wait for a NAT gateway to become available or deleted. @default 900000 (15 min) */
  readonly natGatewayTimeoutMs: number;
  /** Retries of a failed step on throttling, 5xx and resources still changing. */
  readonly stepRetry: StepRetryOptions;
  /** Retries of a deletion that fails with `DependencyViolation` (dependents still going away). */
  readonly deleteRetry: StepRetryOptions;
}

/** Defaults of {@link AwsInfrastructureTiming}. */
export const DEFAULT_INFRASTRUCTURE_TIMING: AwsInfrastructureTiming = {
  pollIntervalMs: 5_000,
  natGatewayTimeoutMs: 15 * 60_000,
  stepRetry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 10_000 },
  deleteRetry: { attempts: 20, baseDelayMs: 1_000, maxDelayMs: 15_000 },
};

/** The SDK clients the infrastructure provider calls. */
export interface AwsInfrastructureClients {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
}

/** Everything a reconcile or delete step needs. */
export interface InfrastructureContext {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  /** Rate limits, retries of throttling / 5xx and error mapping of every call. */
  readonly api: AwsApi;
  readonly cluster: string;
  readonly region: string;
  readonly config: AwsInfrastructureConfig;
  readonly state: InfrastructureStateBook;
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger;
  readonly timing: AwsInfrastructureTiming;
  /**
   * Hands the state as it is now to the caller's `onState` (and waits for it): a step calls it after
   * a write-ahead mark, before a create whose result it could otherwise lose in a crash.
   */
  readonly saveState: () => Promise<void>;
}

/**
 * Calls that are not safe to repeat blindly: after a lost response (or a 5xx, which may come after
 * the action ran) a second attempt would make a duplicate (or fail with `AlreadyExists`). They are
 * repeated only when throttled; otherwise the step as a whole is retried, and a step looks its
 * resource up (by id, then by tags) before creating it again.
 */
const NOT_REPEATABLE = new Set([
  'CreateVpc',
  'CreateDhcpOptions',
  'CreateInternetGateway',
  'AttachInternetGateway',
  'CreateSubnet',
  'AllocateAddress',
  'CreateNatGateway',
  'CreateRouteTable',
  'CreateRoute',
  'AssociateRouteTable',
  'ReplaceRouteTableAssociation',
  'CreateVpcEndpoint',
  'ModifyVpcEndpoint',
  'CreateSecurityGroup',
  'ImportKeyPair',
  'iam:CreateRole',
  'iam:CreateInstanceProfile',
  'iam:AddRoleToInstanceProfile',
]);

/**
 * Runs one AWS call through the rate-limited, retrying {@link AwsApi}; errors come out as
 * `TrellisError`s for `operation`. `action` is the EC2 action (`CreateVpc`) or `iam:<Action>`.
 * In-flight requests are not aborted (their result is recorded); aborting stops waits and retries.
 */
export function call<T>(
  context: InfrastructureContext,
  action: string,
  operation: string,
  send: () => Promise<T>,
): Promise<T> {
  if (!NOT_REPEATABLE.has(action)) {
    return context.api.call(action, () => send(), { operation, signal: context.signal, retry: true });
  }
  // EC2 and IAM reject a throttled request before acting on it, so repeating one cannot make a
  // duplicate. Without this, every throttled create cost a whole step attempt, and a busy account
  // (or the fake's 10% throttling) spent a step's attempts and failed the reconcile.
  return retry(
    () => context.api.call(action, () => send(), { operation, signal: context.signal, retry: false }),
    {
      jitter: 'equal',
      ...context.timing.stepRetry,
      decide: (error) => ({ retry: TrellisError.hasCode(error, 'Throttled') }),
      signal: context.signal,
      context: { provider: 'aws', operation },
    },
  );
}

/** True when the error (SDK or mapped) carries one of the AWS error codes. */
export function hasAwsCode(error: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(error) ?? awsErrorCode((error as { cause?: unknown } | undefined)?.cause);
  return code !== undefined && codes.includes(code);
}

/** True for AWS "does not exist" errors (`InvalidVpcID.NotFound`, `NoSuchEntity`, ...). */
export function isAwsNotFound(error: unknown): boolean {
  const code = awsErrorCode((error as { cause?: unknown } | undefined)?.cause) ?? awsErrorCode(error);
  return code !== undefined && (code.endsWith('NotFound') || code === 'NoSuchEntity');
}

/** Looks a resource up by id; `undefined` when AWS says it does not exist. */
export async function describeOrUndefined<T>(
  context: InfrastructureContext,
  action: string,
  operation: string,
  send: () => Promise<T | undefined>,
): Promise<T | undefined> {
  try {
    return await call(context, action, operation, send);
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** Tags of an EC2 resource as a record. */
export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}
