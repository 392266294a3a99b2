import { describeConformance } from './conformance-cases.js';
import { machineCases } from './machine-provider-cases.js';
import {
  MACHINE_CONFORMANCE_CASES,
  type MachineConformanceCase,
  type MachineConformanceOptions,
  type MachineConformanceSubject,
} from './machine-provider-conformance-types.js';

/**
 * The `MachineProvider` conformance suite: registers a `describe` block with one test per
 * {@link MachineConformanceCase}. Call it at the top level of a vitest test file.
 */
export function machineProviderConformance<Spec>(options: MachineConformanceOptions<Spec>): void {
  const { listPageSize = 5, concurrentCreates = 20, timeoutMs = 120_000 } = options;
  describeConformance({
    title: `${options.name}: MachineProvider conformance`,
    cases: MACHINE_CONFORMANCE_CASES,
    setup: options.setup,
    skip: options.skip,
    timeoutMs,
    run: (name, subject) =>
      machineCases[name]({
        subject: subject as MachineConformanceSubject<unknown>,
        listPageSize,
        concurrentCreates,
      }),
  });
}
