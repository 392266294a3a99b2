import { OperationStore, ResourceStore } from '@trellis/testkit/fake';

/** A resource as the fake keeps it: ARM's JSON (`id`, `name`, `type`, `location`, `tags`, `properties`). */
export type ArmResource = Record<string, unknown> & {
  id: string;
  name: string;
  type: string;
  properties: Record<string, unknown>;
  location?: string;
  tags?: Record<string, string>;
};

/** An error a long-running operation ends with (`error.code`, `error.message` of the poll body). */
export interface ArmOperationError {
  code: string;
  message: string;
}

/** The fake's state: resource groups and resources by lowercased ARM id, and the operations. */
export class ArmFakeState {
  readonly groups = new ResourceStore<ArmResource>();
  readonly resources = new ResourceStore<ArmResource>();
  readonly operations = new OperationStore<ArmOperationError>(undefined, 'op-');
  /** Location of the resource groups taken to exist without a create. */
  autoResourceGroups: string | undefined;
  /** Polls an operation needs before it is done. */
  operationPolls = 1;
  /** How a PUT announces its long-running operation (see `ArmFakeOptions.lroMode`). */
  lroMode: 'azure-async-operation' | 'location' | 'body' = 'azure-async-operation';
  /** Body-mode operations by resource key: a GET of the resource advances them. */
  readonly bodyOperations = new Map<string, string>();
  /** Errors the next VM creates end with (`AllocationFailed`, `ZonalAllocationFailed`, ...). */
  readonly vmCreateFailures: ArmOperationError[] = [];
  #address = 3;

  /** A fresh private address inside `prefix` (`10.250.0.0/16`). */
  nextAddress(prefix: string | undefined): string {
    this.#address += 1;
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix ?? '');
    const start = match
      ? match.slice(1, 5).reduce((sum, octet) => sum * 256 + Number(octet), 0)
      : 10 * 2 ** 24;
    const size = match ? 2 ** (32 - Number(match[5])) : 2 ** 16;
    const address = start + 4 + (this.#address % Math.max(1, size - 5));
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
  }
}
