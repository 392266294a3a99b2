import { TrellisError } from '@trellis/core';
import { CommanderError } from 'commander';
import { exitCodeFor } from './exit-codes.js';

/** Output formats of `--output`. */
export const OUTPUT_FORMATS = ['table', 'json'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One column of a table: its heading and how to read a cell from a row. */
export interface TableColumn<Row> {
  readonly header: string;
  readonly value: (row: Row) => unknown;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cellText).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Formats rows as a plain, left-aligned text table with a header line. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly TableColumn<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const render = (line: readonly string[]) =>
    line
      .map((text, index) => (index === line.length - 1 ? text : text.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[render(columns.map((column) => column.header)), ...cells.map(render)].join('\n')}\n`;
}

/** Formats a value as indented JSON (dates as ISO strings) with a trailing newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** An error as the CLI reports it. */
export interface ErrorReport {
  readonly code: string;
  readonly message: string;
  readonly exitCode: number;
  readonly retryable: boolean;
  readonly issues: readonly { path: string; message: string }[];
  readonly provider?: string;
  readonly operation?: string;
  readonly requestId?: string;
}

function headline(error: TrellisError): string {
  if (error.issues.length === 0) return error.message;
  const detail = error.issues
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
  const suffix = `: ${detail}`;
  return error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
}

/** Describes any thrown value as an {@link ErrorReport}. */
export function describeError(error: unknown): ErrorReport {
  const exitCode = exitCodeFor(error);
  if (TrellisError.isInstance(error)) {
    return {
      code: error.code,
      message: headline(error),
      exitCode,
      retryable: error.retryable,
      issues: error.issues.map(({ path, message }) => ({ path, message })),
      provider: error.provider,
      operation: error.operation,
      requestId: error.requestId,
    };
  }
  if (error instanceof CommanderError) {
    const message = `${error.message.replace(/^error:\s*/, '')} (see --help)`;
    return { code: 'InvalidArgument', message, exitCode, retryable: false, issues: [] };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'Internal', message, exitCode, retryable: false, issues: [] };
}

/** Formats an error report as text (`error [Code]: message` and one line per field issue) or JSON. */
export function formatError(report: ErrorReport, format: OutputFormat): string {
  if (format === 'json') return formatJson({ error: report });
  const lines = [`error [${report.code}]: ${report.message}`];
  for (const issue of report.issues) lines.push(`  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
  return `${lines.join('\n')}\n`;
}
