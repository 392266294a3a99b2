import { type FieldIssue, invalidArgument } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a DNS-1123 label (machine and cluster names): lower case alphanumerics and '-',
 * starting and ending alphanumeric, at most 63 characters. Returns the problem, or undefined.
 */
export function checkDns1123Label(value: unknown, path: string): FieldIssue | undefined {
  if (typeof value !== 'string' || value.length === 0) return { path, message: 'is required' };
  if (value.length > 63) return { path, message: `must be at most 63 characters (got ${value.length})` };
  if (!DNS1123_LABEL.test(value)) {
    return {
      path,
      message: `"${value}" must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit`,
    };
  }
  return undefined;
}

/** The problems of a machine's cluster and name (both DNS-1123 labels), with paths `cluster` and `name`. */
export function machineNameIssues(cluster: unknown, name: unknown): FieldIssue[] {
  return [checkDns1123Label(cluster, 'cluster'), checkDns1123Label(name, 'name')].filter(
    (issue): issue is FieldIssue => issue !== undefined,
  );
}

/**
 * Throws `InvalidArgument` ("invalid machine reference", every problem with its path) unless cluster
 * and name are DNS-1123 labels: what each provider checks before any call about a machine.
 */
export function checkMachineNames(
  cluster: unknown,
  name: unknown,
  context: { readonly provider: string; readonly operation: string },
): void {
  const issues = machineNameIssues(cluster, name);
  if (issues.length > 0) throw invalidArgument('invalid machine reference', issues, context);
}
