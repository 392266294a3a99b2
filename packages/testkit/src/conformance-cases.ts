import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';

/** Cases may be skipped only explicitly, by name, with a reason (the reason is shown as the skip). */
export type SkipMap<Case extends string> = Partial<Record<Case, string>>;

/**
 * Registers one vitest test per case, in the order of `cases`. A case named in `skip` is
 * registered with `it.skip` and the reason in its title, so a skip is always visible.
 * Unknown names or empty reasons in `skip` throw at definition time (a typo never hides a case).
 */
export function registerCases<Case extends string>(
  cases: readonly Case[],
  bodies: Record<Case, () => Promise<void>>,
  skip: SkipMap<Case> = {},
  timeoutMs = 120_000,
): void {
  for (const [name, reason] of Object.entries(skip)) {
    if (!(cases as readonly string[]).includes(name)) {
      throw new Error(`skip names unknown case "${name}"; known cases: ${cases.join(', ')}`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new Error(`skip of case "${name}" needs a reason`);
    }
  }
  for (const name of cases) {
    const reason = skip[name];
    if (reason !== undefined) it.skip(`${name} (skipped: ${reason})`, bodies[name]);
    else it(name, bodies[name], timeoutMs);
  }
}

/** What every conformance `setup` returns: a subject, with an optional cleanup. */
export interface ConformanceSubject {
  /** Called in afterAll. */
  cleanup?: () => Promise<void>;
}

/** How {@link describeConformance} registers a suite. */
export interface ConformanceSuite<Case extends string, Subject extends ConformanceSubject> {
  /** The describe() title. */
  title: string;
  /** Every case, in the order they run. */
  cases: readonly Case[];
  /** Called once in beforeAll; the subject's cleanup is called in afterAll. */
  setup: () => Promise<Subject>;
  /** Cases to skip, each with its reason; see {@link registerCases}. */
  skip?: SkipMap<Case> | undefined;
  /** Timeout of setup, cleanup and each case. */
  timeoutMs: number;
  /** Runs one case against the subject setup returned. */
  run: (name: Case, subject: Subject) => Promise<void>;
}

/**
 * Registers a conformance suite: one `describe` block that sets the subject up once, runs one
 * test per case against it and cleans it up. Cases share the subject and compare inventories
 * and listings, so they never run concurrently or shuffled.
 */
export function describeConformance<Case extends string, Subject extends ConformanceSubject>(
  suite: ConformanceSuite<Case, Subject>,
): void {
  describe(suite.title, { concurrent: false, shuffle: false }, () => {
    let subject: Subject | undefined;
    beforeAll(async () => {
      subject = await suite.setup();
    }, suite.timeoutMs);
    afterAll(async () => {
      await subject?.cleanup?.();
    }, suite.timeoutMs);
    const bodies = Object.fromEntries(
      suite.cases.map((name) => [
        name,
        () => {
          if (!subject) throw new Error('setup() did not complete');
          return suite.run(name, subject);
        },
      ]),
    ) as Record<Case, () => Promise<void>>;
    registerCases(suite.cases, bodies, suite.skip, suite.timeoutMs);
  });
}

/** A DNS-1123 name unique to one run of one case: `conf-<case>-<random>` (at most 63 characters). */
export function uniqueName(caseName: string): string {
  const suffix = randomBytes(4).toString('hex');
  const stem = `conf-${caseName}`.slice(0, 63 - suffix.length - 1).replace(/-+$/, '');
  return `${stem}-${suffix}`;
}

/** Registers cleanup work for a case body; see {@link withCleanup}. */
export type Defer = (cleanup: () => Promise<unknown> | unknown) => void;

/**
 * Runs `body`, then every deferred cleanup in reverse order, even when `body` failed. A cleanup
 * failure is reported only when the body itself passed, so it never hides the real failure.
 */
export async function withCleanup<T>(body: (defer: Defer) => Promise<T>): Promise<T> {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let result: T;
  try {
    result = await body((cleanup) => cleanups.push(cleanup));
  } catch (error) {
    for (const cleanup of cleanups.reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch(() => {});
    throw error;
  }
  const failures: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw new AggregateError(failures, 'cleanup after the case failed');
  return result;
}

/**
 * Runs `check` until it passes or `timeoutMs` has passed, then throws its last failure. Real
 * clouds take a moment to show a deleted VM as gone; in-memory providers and fakes pass at once.
 */
export async function eventually(
  check: () => Promise<void>,
  { timeoutMs = 60_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() >= until) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
