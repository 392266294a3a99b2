import { z } from 'zod';
import { type FieldIssue, invalidArgument } from './errors.js';
import type { InfrastructureState } from './infrastructure-provider.js';
import { toFieldIssues, type ValidationResult } from './validation.js';

/** The zod schema of a persisted {@link InfrastructureState} (layout `v1`). */
export const infrastructureStateSchema = z.object({
  version: z.literal('v1'),
  provider: z.string().min(1),
  resources: z.record(
    z.string(),
    z.object({
      id: z.string(),
      kind: z.string(),
      managed: z.boolean().optional(),
      attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    }),
  ),
  completedSteps: z.array(z.string()),
});

/** Options of {@link validateInfrastructureState} and {@link parseInfrastructureState}. */
export interface InfrastructureStateOptions {
  /**
   * The provider type that must have written the state. A state written by another provider is
   * reported on its `provider` field. When absent, any provider is accepted.
   */
  readonly provider?: string;
  /**
   * Field path of the state inside the document that holds it, put before every issue path
   * (`state` gives `state.resources.vpc.id`). @default '' (the state is the document)
   */
  readonly path?: string;
}

/**
 * Checks that `value` is an {@link InfrastructureState} (written by `options.provider`, when
 * given) and returns it, or every problem with its field path.
 */
export function validateInfrastructureState(
  value: unknown,
  options: InfrastructureStateOptions = {},
): ValidationResult<InfrastructureState> {
  const base = options.path ?? '';
  const result = infrastructureStateSchema.safeParse(value);
  const issues: FieldIssue[] = result.success ? [] : toFieldIssues(result.error, base);
  const written = (value as { provider?: unknown } | null | undefined)?.provider;
  if (
    options.provider !== undefined &&
    typeof written === 'string' &&
    written !== '' &&
    written !== options.provider
  ) {
    issues.push({
      path: base ? `${base}.provider` : 'provider',
      message: `state was written by "${written}", not "${options.provider}"`,
    });
  }
  if (issues.length > 0 || !result.success) return { success: false, issues };
  return { success: true, data: result.data as InfrastructureState };
}

/**
 * Returns `value` as an {@link InfrastructureState} (written by `options.provider`, when given),
 * or throws an `InvalidArgument` `TrellisError` listing every problem with its field path.
 */
export function parseInfrastructureState(
  value: unknown,
  options: InfrastructureStateOptions = {},
): InfrastructureState {
  const result = validateInfrastructureState(value, options);
  if (result.success) return result.data;
  throw invalidArgument('invalid infrastructure state', result.issues, { provider: options.provider });
}
