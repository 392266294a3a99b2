import { type ConfigSchema, invalidArgument, type TrellisError } from '@trellis/core';

/**
 * Validates one section of the config file with the provider's schema, reporting field paths
 * from the file's root (`infrastructure.networks.zones[1].workers`).
 */
export function parseSection<T>(schema: ConfigSchema<T>, input: unknown, section: string, file: string): T {
  const result = schema.validate(input ?? {});
  if (result.success) return result.data;
  const issues = result.issues.map((issue) => ({
    path: issue.path ? `${section}.${issue.path}` : section,
    message: issue.message,
  }));
  throw invalidArgument(`invalid ${schema.name} in ${file}`, issues);
}

/** An `InvalidArgument` error for a setting that must be given. */
export function missingSetting(path: string, hint: string): TrellisError {
  return invalidArgument(`${path} is required`, [{ path, message: `is required (${hint})` }]);
}
