/** A histogram's state: counts per upper bound (cumulative, like Prometheus), sum and count. */
export interface HistogramSnapshot {
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
  readonly sum: number;
  readonly count: number;
}

/** Every metric of a controller at one moment, by name and label set (`code="Throttled"`). */
export interface MetricsSnapshot {
  readonly counters: Readonly<Record<string, number>>;
  readonly gauges: Readonly<Record<string, number>>;
  readonly histograms: Readonly<Record<string, HistogramSnapshot>>;
}

const DEFAULT_BUCKETS_SECONDS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

const keyOf = (name: string, labels: Readonly<Record<string, string>> = {}) => {
  const entries = Object.entries(labels).sort(([first], [second]) => first.localeCompare(second));
  return entries.length ? `${name}{${entries.map(([key, value]) => `${key}="${value}"`).join(',')}}` : name;
};

/**
 * Plain counters, gauges and histograms a user exports as they like (`snapshot()` for JSON,
 * `toPrometheus()` for the text format): reconciles, errors by code, API calls, queue depth.
 */
export class Metrics {
  readonly #counters = new Map<string, number>();
  readonly #gauges = new Map<string, number>();
  readonly #histograms = new Map<
    string,
    { bounds: number[]; counts: number[]; sum: number; count: number }
  >();

  /** Adds to a counter. */
  count(name: string, labels?: Readonly<Record<string, string>>, by = 1): void {
    const key = keyOf(name, labels);
    this.#counters.set(key, (this.#counters.get(key) ?? 0) + by);
  }

  /** Sets a gauge. */
  set(name: string, value: number, labels?: Readonly<Record<string, string>>): void {
    this.#gauges.set(keyOf(name, labels), value);
  }

  /** Records one observation (seconds, by default buckets from 5 ms to 5 min). */
  observe(name: string, value: number, labels?: Readonly<Record<string, string>>): void {
    const key = keyOf(name, labels);
    let histogram = this.#histograms.get(key);
    if (!histogram) {
      histogram = {
        bounds: DEFAULT_BUCKETS_SECONDS,
        counts: DEFAULT_BUCKETS_SECONDS.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.#histograms.set(key, histogram);
    }
    histogram.bounds.forEach((bound, index) => {
      if (value <= bound) histogram.counts[index]! += 1;
    });
    histogram.sum += value;
    histogram.count += 1;
  }

  /** A counter's value (0 when never counted). */
  counter(name: string, labels?: Readonly<Record<string, string>>): number {
    return this.#counters.get(keyOf(name, labels)) ?? 0;
  }

  snapshot(): MetricsSnapshot {
    const histograms: Record<string, HistogramSnapshot> = {};
    for (const [key, value] of this.#histograms) {
      histograms[key] = {
        buckets: value.bounds.map((le, index) => ({ le, count: value.counts[index]! })),
        sum: value.sum,
        count: value.count,
      };
    }
    return {
      counters: Object.fromEntries(this.#counters),
      gauges: Object.fromEntries(this.#gauges),
      histograms,
    };
  }

  /** The Prometheus text exposition format. */
  toPrometheus(): string {
    const lines: string[] = [];
    for (const [key, value] of this.#counters) lines.push(`${key} ${value}`);
    for (const [key, value] of this.#gauges) lines.push(`${key} ${value}`);
    for (const [key, value] of this.#histograms) {
      const brace = key.indexOf('{');
      const name = brace < 0 ? key : key.slice(0, brace);
      const labels = brace < 0 ? '' : key.slice(brace + 1, -1);
      const withLe = (le: string) => `${name}_bucket{${labels ? `${labels},` : ''}le="${le}"}`;
      value.bounds.forEach((bound, index) => {
        lines.push(`${withLe(String(bound))} ${value.counts[index]}`);
      });
      lines.push(`${withLe('+Inf')} ${value.count}`);
      lines.push(`${name}_sum${labels ? `{${labels}}` : ''} ${value.sum}`);
      lines.push(`${name}_count${labels ? `{${labels}}` : ''} ${value.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
