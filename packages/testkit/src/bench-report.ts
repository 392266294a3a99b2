/** One benchmark result next to its baseline, measured in the same run. */
export interface BenchResult {
  benchmark: string;
  metric: string;
  trellis: number;
  baseline: number;
  baselineLabel: string;
  /** How trellis / baseline is judged: at most (`max`) or at least (`min`) the target. */
  target: { ratio: number; kind: 'max' | 'min' };
}

/** Prints the result as one line with the ratio and whether it meets the target; true when it does. */
export function reportBenchmark(result: BenchResult): boolean {
  const ratio = result.trellis / result.baseline;
  const met = result.target.kind === 'max' ? ratio <= result.target.ratio : ratio >= result.target.ratio;
  const format = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));
  console.log(
    `${result.benchmark}: ${result.metric} trellis=${format(result.trellis)} ${result.baselineLabel}=${format(result.baseline)} ` +
      `ratio=${ratio.toFixed(3)} (target ${result.target.kind === 'max' ? '<=' : '>='} ${result.target.ratio}) ${met ? 'MET' : 'MISSED'}`,
  );
  return met;
}
