import type { MachineProvider } from '@trellis/core';
import type { SkipMap } from './conformance-cases.js';

/** The cases of {@link machineProviderConformance}, in the order they run. */
export const MACHINE_CONFORMANCE_CASES = [
  'create-get-list-delete',
  'create-is-idempotent',
  'delete-is-idempotent',
  'get-missing-is-not-found',
  'ownership-tags',
  'list-is-scoped-to-cluster',
  'list-pages',
  'concurrent-creates',
  'abort-is-canceled',
  'invalid-spec-is-invalid-argument',
  'invalid-name-is-invalid-argument',
  'provider-id-parses',
] as const;

/**
 * One case of {@link machineProviderConformance}:
 * - `create-get-list-delete`: create → get → list → delete → get is `NotFound`, list is empty.
 * - `create-is-idempotent`: creating the same machine twice returns the same VM; exactly one VM exists.
 * - `delete-is-idempotent`: deleting twice, and deleting a never-created machine, succeeds.
 * - `get-missing-is-not-found`: get of a machine that never existed is `NotFound`.
 * - `ownership-tags`: `Name`, `kubernetes.io/cluster/<cluster>` and `kubernetes.io/role/node` on
 *   create, get and list.
 * - `list-is-scoped-to-cluster`: list finds only its cluster's machines (also against a cluster
 *   whose name extends it).
 * - `list-pages`: `2 * listPageSize + 1` machines are all listed, each once.
 * - `concurrent-creates`: N concurrent creates give N distinct machines.
 * - `abort-is-canceled`: create, get, delete and list with an aborted signal are `Canceled`;
 *   nothing is created.
 * - `invalid-spec-is-invalid-argument`: each invalid spec is `InvalidArgument` with its issue path,
 *   costs no API call and creates nothing.
 * - `invalid-name-is-invalid-argument`: non-DNS-1123 machine and cluster names, likewise.
 * - `provider-id-parses`: the provider id parses as the provider's own type and addresses the VM.
 */
export type MachineConformanceCase = (typeof MACHINE_CONFORMANCE_CASES)[number];

/** What `setup` returns: the provider under test and views into the cloud behind it. */
export interface MachineConformanceSubject<Spec> {
  provider: MachineProvider<Spec>;
  /** A valid spec for createMachine. */
  spec: Spec;
  /** Specs that must be rejected with InvalidArgument; `path` must appear among error.issues paths. */
  invalidSpecs: Array<{ spec: unknown; path: string }>;
  /**
   * How many VMs exist in the cloud/fake right now for cluster (and machine name, if given),
   * read independently of the provider (e.g. from the fake's state). Optional; when absent the
   * suite counts through listMachines.
   */
  countVms?: (cluster: string, name?: string) => Promise<number>;
  /**
   * Total API calls the cloud/fake has received so far (from the fake's call log). Optional;
   * when present the suite asserts invalid input costs zero calls.
   */
  callCount?: () => number;
  /** Called in afterAll. */
  cleanup?: () => Promise<void>;
}

/** Options of {@link machineProviderConformance}. */
export interface MachineConformanceOptions<Spec> {
  /** Shown in the describe() title. */
  name: string;
  /** Called once in beforeAll. Each case uses its own unique cluster name, so cases never see each other's machines. */
  setup: () => Promise<MachineConformanceSubject<Spec>>;
  /** Cases to skip, each with the reason shown in the skipped test's title. */
  skip?: SkipMap<MachineConformanceCase>;
  /** The provider's list page size as configured in setup; the suite creates 2*pageSize+1 machines. @default 5 */
  listPageSize?: number;
  /** @default 20 */
  concurrentCreates?: number;
  /** Per-test timeout. @default 120_000 */
  timeoutMs?: number;
}
