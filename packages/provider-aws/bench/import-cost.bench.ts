// A cold import of the provider's main entry vs importing the SDK package a machine list needs
// (`@aws-sdk/client-ec2`), each in fresh processes, alternating, medians of 7 runs. Target: the
// provider costs no more than the SDK alone (ratio <= 1.0), in time and in peak memory.
import { fileURLToPath } from 'node:url';
import { compareColdImports, reportBenchmark as report } from '@trellis/testkit';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const [trellis, sdk] = compareColdImports(['@trellis/provider-aws'], ['@aws-sdk/client-ec2'], {
  cwd,
  runs: 7,
});
const MIB = 1024 * 1024;
report({
  benchmark: 'cold import of @trellis/provider-aws',
  metric: 'median ms',
  trellis: trellis.medianMilliseconds,
  baseline: sdk.medianMilliseconds,
  baselineLabel: 'import-@aws-sdk/client-ec2',
  target: { ratio: 1, kind: 'max' },
});
report({
  benchmark: 'cold import of @trellis/provider-aws',
  metric: 'median peak RSS MiB',
  trellis: trellis.medianPeakRssBytes / MIB,
  baseline: sdk.medianPeakRssBytes / MIB,
  baselineLabel: 'import-@aws-sdk/client-ec2',
  target: { ratio: 1, kind: 'max' },
});
