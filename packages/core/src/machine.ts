/** Lifecycle phase of a machine, the same on every cloud. */
export type MachinePhase =
  | 'Pending'
  | 'Running'
  | 'Stopping'
  | 'Stopped'
  | 'Terminating'
  | 'Terminated'
  | 'Unknown';

/** All machine phases, in lifecycle order. */
export const MACHINE_PHASES: readonly MachinePhase[] = [
  'Pending',
  'Running',
  'Stopping',
  'Stopped',
  'Terminating',
  'Terminated',
  'Unknown',
];

/** Kind of a machine address, as in a Kubernetes `NodeAddress`. */
export type MachineAddressType = 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';

/** One address of a machine. */
export interface MachineAddress {
  readonly type: MachineAddressType;
  readonly address: string;
}

/** A VM as every provider reports it. */
export interface Machine {
  /** The machine name (DNS-1123 label) the caller chose. */
  readonly name: string;
  /** The cluster that owns the machine. */
  readonly cluster: string;
  /** Gardener-style provider id, e.g. `aws:///eu-west-1a/i-0abc`; see `formatProviderId`. */
  readonly providerId: string;
  /**
   * The provider id of this machine's Kubernetes Node (`spec.providerID` as the cloud's
   * cloud-controller-manager writes it), where it differs in form from {@link Machine.providerId}:
   * `gce://<project>/<zone>/<name>` on GCP. `parseProviderId` reads both to the same machine.
   */
  readonly nodeProviderId?: string;
  /** Current phase. */
  readonly phase: MachinePhase;
  /** Known addresses (may be empty while `Pending`). */
  readonly addresses: readonly MachineAddress[];
  /** Zone (availability zone) the machine runs in, when the cloud has zones. */
  readonly zone?: string;
  /** Machine type (`m5.large`, `n2-standard-4`, `local`). */
  readonly machineType: string;
  /** Tags / labels on the VM, including the ownership tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** When the VM was created. */
  readonly createdAt: Date;
}

/**
 * Identifies a machine. A ref with a `providerId` addresses exactly that VM; a ref with only
 * cluster and name is resolved through the ownership tags.
 */
export interface MachineRef {
  readonly cluster: string;
  readonly name: string;
  readonly providerId?: string;
}

/** Which machines `listMachines` returns. */
export interface MachineFilter {
  /** Only the machines owned by this cluster (by ownership tags). */
  readonly cluster: string;
  /** Only machines carrying all these tags too. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Include machines in phase `Terminated`. @default false */
  readonly includeTerminated?: boolean;
}

/** A request to create one machine. */
export interface CreateMachineRequest<Spec> {
  /** Machine name, a DNS-1123 label, unique within the cluster. */
  readonly name: string;
  /** Owning cluster (DNS-1123 label). */
  readonly cluster: string;
  /** The provider's machine class spec; validated before any cloud call. */
  readonly spec: Spec;
  /** Boot script / cloud-init. Never logged. */
  readonly userData?: string;
  /** Extra tags. Ownership tags cannot be overridden. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Tag prefix marking a cluster's ownership: `kubernetes.io/cluster/<cluster>`. */
export const CLUSTER_TAG_PREFIX = 'kubernetes.io/cluster/';
/** Role tag every machine carries. */
export const NODE_ROLE_TAG = 'kubernetes.io/role/node';
/** Tag holding the machine name. */
export const NAME_TAG = 'Name';

/**
 * The ownership tags of a machine: `Name`, `kubernetes.io/cluster/<cluster>` and
 * `kubernetes.io/role/node`. Extra tags come first so ownership tags always win.
 */
export function machineTags(
  cluster: string,
  name: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...extra,
    [NAME_TAG]: name,
    [`${CLUSTER_TAG_PREFIX}${cluster}`]: '1',
    [NODE_ROLE_TAG]: '1',
  };
}
