import type { InfrastructureStatus } from '@trellis/core';
import { describeConformance } from './conformance-cases.js';
import { type InfrastructureCaseContext, infrastructureCases } from './infrastructure-provider-cases.js';
import {
  INFRASTRUCTURE_CONFORMANCE_CASES,
  type InfrastructureConformanceCase,
  type InfrastructureConformanceOptions,
} from './infrastructure-provider-conformance-types.js';

/**
 * The `InfrastructureProvider` conformance suite: registers a `describe` block with one test per
 * {@link InfrastructureConformanceCase}. Call it at the top level of a vitest test file.
 */
export function infrastructureProviderConformance<Config, Status extends InfrastructureStatus>(
  options: InfrastructureConformanceOptions<Config, Status>,
): void {
  const { timeoutMs = 120_000 } = options;
  describeConformance({
    title: `${options.name}: InfrastructureProvider conformance`,
    cases: INFRASTRUCTURE_CONFORMANCE_CASES,
    setup: options.setup,
    skip: options.skip,
    timeoutMs,
    run: (name, subject) =>
      infrastructureCases[name]({ subject: subject as unknown as InfrastructureCaseContext['subject'] }),
  });
}
