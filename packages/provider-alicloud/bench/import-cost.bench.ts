// A cold import of the provider's main entry vs importing the SDK packages a machine list needs
// (`@alicloud/ecs20140526`), each in fresh processes, alternating, medians of 7 runs. Target: the provider costs no
// more than those SDK packages alone (ratio <= 1.0), in time and in peak memory.
import { fileURLToPath } from 'node:url';
import { compareColdImports, reportBenchmark } from '@trellis/testkit';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const sdks = ['@alicloud/ecs20140526'];
const [trellis, sdk] = compareColdImports(['@trellis/provider-alicloud'], sdks, { cwd, runs: 7 });
const MIB = 1024 * 1024;
for (const [metric, ours, theirs] of [
  ['median ms', trellis.medianMilliseconds, sdk.medianMilliseconds],
  ['median peak RSS MiB', trellis.medianPeakRssBytes / MIB, sdk.medianPeakRssBytes / MIB],
] as const) {
  reportBenchmark({
    benchmark: 'cold import of @trellis/provider-alicloud',
    metric,
    trellis: ours,
    baseline: theirs,
    baselineLabel: `import-${sdks.join('+')}`,
    target: { ratio: 1, kind: 'max' },
  });
}
