import { z } from 'zod';
import { type FieldIssue, invalidArgument } from './errors.js';

/** The result of validating user config: the typed value, or every problem with its field path. */
export type ValidationResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly issues: readonly FieldIssue[] };

/** Formats a zod path as `networks.zones[1].workers`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}

/** Converts zod issues to Trellis field issues, keeping every one. */
export function toFieldIssues(error: z.ZodError, basePath = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = formatFieldPath(issue.path);
    return { path: basePath && path ? `${basePath}.${path}` : basePath || path, message: issue.message };
  });
}

/** Validates `input` against a config schema and returns every problem, not only the first. */
export function validateWithSchema<S extends z.ZodType>(
  schema: S,
  input: unknown,
): ValidationResult<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  return { success: false, issues: toFieldIssues(result.error) };
}

/**
 * Validates `input` and returns the typed value, or throws an `InvalidArgument` `TrellisError`
 * whose message and `issues` list every problem with its field path.
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  input: unknown,
  context: { what: string; provider?: string; operation?: string },
): z.output<S> {
  const result = validateWithSchema(schema, input);
  if (result.success) return result.data;
  throw invalidArgument(`invalid ${context.what}`, result.issues, {
    provider: context.provider,
    operation: context.operation,
  });
}

/** A user-facing config schema: its validator and its JSON Schema come from one zod schema. */
export interface ConfigSchema<T> {
  /** What the config is, for messages: `AWS machine class`. */
  readonly name: string;
  /** The zod schema. */
  readonly schema: z.ZodType<T>;
  /** Every problem with its field path. */
  validate(input: unknown): ValidationResult<T>;
  /** The typed value, or an `InvalidArgument` error listing every problem. */
  parse(input: unknown): T;
  /** JSON Schema (draft 2020-12) of the input. */
  toJsonSchema(): Record<string, unknown>;
}

/** Wraps a zod schema as a {@link ConfigSchema}. */
export function defineConfigSchema<S extends z.ZodType>(
  name: string,
  schema: S,
  context: { provider?: string } = {},
): ConfigSchema<z.output<S>> {
  return {
    name,
    schema: schema as unknown as z.ZodType<z.output<S>>,
    validate: (input) => validateWithSchema(schema, input),
    parse: (input) => parseWithSchema(schema, input, { what: name, provider: context.provider }),
    toJsonSchema: () =>
      z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  };
}
