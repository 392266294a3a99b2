import { spawnSync } from 'node:child_process';

/** What one cold import cost in a fresh Node process. */
export interface ImportCost {
  /** Wall time of the `import()` calls alone, in milliseconds. */
  readonly milliseconds: number;
  /** Peak resident memory of the process (`VmHWM`), in bytes. */
  readonly peakRssBytes: number;
}

/** Medians of several cold imports. */
export interface ImportCostSummary {
  readonly medianMilliseconds: number;
  readonly medianPeakRssBytes: number;
  readonly runs: readonly ImportCost[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((first, second) => first - second);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Imports `specifiers` in a fresh process started in `cwd` and measures it. */
export function coldImportCost(specifiers: readonly string[], cwd: string): ImportCost {
  const script = `
    import { readFileSync } from 'node:fs';
    const started = performance.now();
    for (const specifier of ${JSON.stringify(specifiers)}) await import(specifier);
    const milliseconds = performance.now() - started;
    const kib = Number(/^VmHWM:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
    process.stdout.write(JSON.stringify({ milliseconds, peakRssBytes: kib * 1024 }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`importing ${specifiers.join(', ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ImportCost;
}

/**
 * Measures two sets of imports `runs` times each, alternating (so a noisy moment hurts both), each
 * in a fresh process: the medians of each. For benchmarks that compare a provider's main entry
 * with the SDK packages it wraps.
 *
 * @example
 * ```ts
 * const [trellis, sdk] = compareColdImports(['@trellis/provider-aws'], ['@aws-sdk/client-ec2'], { cwd, runs: 7 });
 * console.log(trellis.medianMilliseconds / sdk.medianMilliseconds);
 * ```
 */
export function compareColdImports(
  first: readonly string[],
  second: readonly string[],
  options: { cwd: string; runs?: number },
): [ImportCostSummary, ImportCostSummary] {
  const runs = Math.max(1, options.runs ?? 7);
  const firstRuns: ImportCost[] = [];
  const secondRuns: ImportCost[] = [];
  for (let run = 0; run < runs; run++) {
    firstRuns.push(coldImportCost(first, options.cwd));
    secondRuns.push(coldImportCost(second, options.cwd));
  }
  const summary = (costs: ImportCost[]): ImportCostSummary => ({
    medianMilliseconds: median(costs.map((cost) => cost.milliseconds)),
    medianPeakRssBytes: median(costs.map((cost) => cost.peakRssBytes)),
    runs: costs,
  });
  return [summary(firstRuns), summary(secondRuns)];
}
