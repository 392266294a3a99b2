import type { FieldIssue } from './errors.js';

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
