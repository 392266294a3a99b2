import { type FakeOperation, OperationStore, ResourceStore } from '@trellis/testkit/fake';

/** An instance as the fake keeps it: GCE's Instance JSON. */
export type FakeInstance = Record<string, unknown> & {
  name: string;
  status: string;
  labels?: Record<string, string>;
  tags?: { items?: string[] };
};

/** An operation's error as GCE reports it in `error.errors[]`. */
export interface FakeOperationError {
  code: string;
  message: string;
}

/** A network resource as the fake keeps it (network, subnetwork, router, firewall, address): GCE's JSON. */
export type FakeResource = Record<string, unknown> & { name: string; selfLink: string };

/** What an operation is about, for its JSON; `scope` is `zones/<z>`, `regions/<r>` or `global`. */
export interface OperationScope {
  project: string;
  scope: string;
  operationType: string;
  targetLink: string;
}

/** The fake's state: instances and network resources by path, operations and the `requestId`s already seen. */
export class GceFakeState {
  readonly instances = new ResourceStore<FakeInstance>();
  /** Networks, subnetworks, routers, firewalls and addresses, by `projects/<p>/(global|regions/<r>)/<collection>/<name>`. */
  readonly resources = new ResourceStore<FakeResource>();
  /** Service accounts by `projects/<p>/serviceAccounts/<email>`: IAM's JSON. */
  readonly serviceAccounts = new ResourceStore<Record<string, unknown> & { email: string }>();
  readonly operations = new OperationStore<FakeOperationError>(undefined, 'operation-');
  readonly scopes = new Map<string, OperationScope>();
  readonly requestIds = new Map<string, string>();
  /** Polls an operation needs before it is done. */
  operationPolls = 1;
  /** Errors the next inserts' operations end with (QUOTA_EXCEEDED, ZONE_RESOURCE_POOL_EXHAUSTED, ...). */
  readonly insertFailures: FakeOperationError[] = [];
  #ip = 2;

  /** A fresh address: in the subnetwork's range when it is one the fake keeps, else in 10.240.0.0/16. */
  nextInternalAddress(subnetworkPath?: string): string {
    this.#ip += 1;
    const range = subnetworkPath ? this.resources.get(subnetworkPath)?.value.ipCidrRange : undefined;
    const match = typeof range === 'string' ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(range) : null;
    if (!match) return `10.240.${Math.floor(this.#ip / 250)}.${this.#ip % 250}`;
    const start = match.slice(1, 5).reduce((sum, octet) => sum * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(match[5]));
    const address = start + 2 + (this.#ip % Math.max(1, size - 4));
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
  }

  /** The operation JSON GCE answers. */
  operationJson(operation: FakeOperation<FakeOperationError>, baseUrl: string): Record<string, unknown> {
    const scope = this.scopes.get(operation.id)!;
    const scopeLink = `${baseUrl}/compute/v1/projects/${scope.project}/${scope.scope}`;
    const [kind] = scope.scope.split('/');
    return {
      kind: 'compute#operation',
      id: String(1000 + Number(operation.id.split('-').at(-1))),
      name: operation.id,
      operationType: scope.operationType,
      status: operation.status === 'DONE' ? 'DONE' : 'RUNNING',
      progress: operation.status === 'DONE' ? 100 : 0,
      ...(kind === 'zones' ? { zone: scopeLink } : kind === 'regions' ? { region: scopeLink } : {}),
      targetLink: scope.targetLink,
      selfLink: `${scopeLink}/operations/${operation.id}`,
      insertTime: new Date(operation.startedAt).toISOString(),
      startTime: new Date(operation.startedAt).toISOString(),
      ...(operation.endedAt === undefined ? {} : { endTime: new Date(operation.endedAt).toISOString() }),
      ...(operation.error ? { error: { errors: [operation.error] } } : {}),
    };
  }
}
