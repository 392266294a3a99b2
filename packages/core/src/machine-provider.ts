import type { CallOptions } from './call-options.js';
import type { CreateMachineRequest, Machine, MachineFilter, MachineRef } from './machine.js';

/**
 * Creates, deletes, reads and lists the VMs of a cluster (Gardener's machine driver).
 *
 * Every implementation keeps these rules; the conformance suite in `@trellis/testkit` checks them:
 * - **Validation first**: an invalid spec or name rejects with `InvalidArgument` (listing every
 *   field problem) before any cloud call.
 * - **Idempotent create**: when the machine's VM already exists, `createMachine` returns it. A retry
 *   after a lost response never makes a second VM (client tokens plus lookup by ownership tags).
 * - **One VM per name**: when several VMs carry one machine's tags, operations reject with
 *   `OutOfRange` naming all of them.
 * - **`NotFound`**: `getMachine` of a machine that was never created or was deleted rejects with
 *   `NotFound`. A VM that stopped by itself but still exists is reported with its phase
 *   (`Stopped`, `Terminated`) until it is deleted or the cloud forgets it.
 * - **Idempotent delete**: deleting what is gone succeeds; delete also removes what the machine
 *   owned (NICs, disks, public IPs, processes).
 * - **Ownership**: every VM carries `Name`, `kubernetes.io/cluster/<cluster>` and
 *   `kubernetes.io/role/node`; `listMachines` finds a cluster's VMs by them and nothing else.
 * - **Cancellable**: an aborted signal rejects with `Canceled`; a passed deadline with
 *   `DeadlineExceeded`.
 * - Errors are always `TrellisError`s.
 */
export interface MachineProvider<Spec = unknown> {
  /** Version of this contract. */
  readonly specificationVersion: 'v1';
  /** Provider type name: `aws`, `gcp`, `azure`, `alicloud`, `local`, ... */
  readonly provider: string;
  /** Validates a spec without any cloud call; rejects with `InvalidArgument`. */
  validateSpec(spec: unknown): Spec;
  /** Creates the machine, or returns it when it exists already. */
  createMachine(request: CreateMachineRequest<Spec>, options?: CallOptions): Promise<Machine>;
  /** Deletes the machine and what it owns; succeeds when it is already gone. */
  deleteMachine(ref: MachineRef, options?: CallOptions): Promise<void>;
  /** Reads the machine; `NotFound` when absent. */
  getMachine(ref: MachineRef, options?: CallOptions): Promise<Machine>;
  /** All machines of a cluster, across pages, found by ownership tags. */
  listMachines(filter: MachineFilter, options?: CallOptions): AsyncIterable<Machine>;
}
