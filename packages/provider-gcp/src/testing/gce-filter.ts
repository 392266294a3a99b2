import { invalid } from './gce-errors.js';

type Term = { field: string; op: '=' | '!=' | ':*' | 'eq' | 'ne'; value?: string };

const TERM = /^\(?\s*([A-Za-z][\w.-]*)\s*(=|!=|:|eq\b|ne\b)\s*(\*|"[^"]*"|'[^']*'|[^\s()]+)\s*\)?$/;

/**
 * The subset of GCE's AIP-160 `filter` the fake understands: `field = "v"`, `field != "v"`,
 * `field:*` on dotted paths (`name`, `status`, `labels.k`), and the older `field eq "regex"` /
 * `field ne "regex"` (an RE2 regular expression that must match the whole value; the only form
 * compute accepts for a link such as `network`), several terms joined by `AND` or written one
 * after another in parentheses. Anything else is answered 400, as GCE answers
 * filters it cannot parse.
 */
export function parseFilter(text: string | null): Term[] {
  if (!text?.trim()) return [];
  const parts = text
    .split(/\s+AND\s+|\)\s*\(/)
    .map((part) => part.trim().replace(/^\(+/, '(').replace(/\)+$/, ')'))
    .filter(Boolean);
  return parts.map((part) => {
    const match = TERM.exec(part);
    if (!match) throw invalid(`Invalid value for field 'filter': '${text}'. Invalid list filter expression.`);
    const [, field, op, raw] = match as unknown as [string, string, string, string];
    if (op === ':') {
      if (raw !== '*') throw invalid(`Invalid value for field 'filter': '${text}'.`);
      return { field, op: ':*' };
    }
    const value = raw.replace(/^["']|["']$/g, '');
    if (op === 'eq' || op === 'ne') {
      try {
        new RegExp(value);
      } catch {
        throw invalid(`Invalid value for field 'filter': '${text}'. Invalid regular expression.`);
      }
    }
    return { field, op: op as Term['op'], value };
  });
}

function valueAt(resource: Record<string, unknown>, path: string): unknown {
  let current: unknown = resource;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** True when the resource satisfies every term. */
export function matchesFilter(resource: Record<string, unknown>, terms: readonly Term[]): boolean {
  return terms.every((term) => {
    const value = valueAt(resource, term.field);
    if (term.op === ':*') return value !== undefined;
    const text = value === undefined ? undefined : String(value);
    if (term.op === 'eq' || term.op === 'ne') {
      const whole = new RegExp(`^(?:${term.value})$`).test(text ?? '');
      return term.op === 'eq' ? whole : !whole;
    }
    return term.op === '=' ? text === term.value : text !== term.value;
  });
}
