/** Which config of a provider an object carries, and where. */
export interface AdmissionTarget {
  /** The provider type (`aws`, `azure`, ...), read from the object. */
  readonly provider: string | undefined;
  /** Where the provider type is in the object, for messages. */
  readonly providerField: string;
  /** The provider schema that checks it. */
  readonly schema: 'machineClass' | 'infrastructureConfig' | 'backupConfig';
  /** The config, and its field path in the object (every issue path is prefixed with it). */
  readonly config: unknown;
  readonly configField: string;
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** machine-controller-manager's provider names, and Gardener's extension types, as Trellis types. */
const PROVIDER_TYPES: Record<string, string> = {
  aws: 'aws',
  gcp: 'gcp',
  azure: 'azure',
  alicloud: 'alicloud',
  local: 'local',
};
const providerType = (value: unknown) => {
  const name = text(value);
  return name === undefined ? undefined : (PROVIDER_TYPES[name.toLowerCase()] ?? name.toLowerCase());
};

/** The kinds the webhook validates, by `group/kind` (as `AdmissionReview.request.kind` names them). */
const TARGETS: Record<string, (object: Json) => AdmissionTarget> = {
  // machine-controller-manager's MachineClass: `provider` and `providerSpec`.
  'machine.sapcloud.io/MachineClass': (value) => ({
    provider: providerType(value.provider),
    providerField: 'provider',
    schema: 'machineClass',
    config: value.providerSpec,
    configField: 'providerSpec',
  }),
  // Gardener's extension resources: `spec.type` and `spec.providerConfig`.
  'extensions.gardener.cloud/Infrastructure': (value) => ({
    provider: providerType(object(value.spec).type),
    providerField: 'spec.type',
    schema: 'infrastructureConfig',
    config: object(value.spec).providerConfig,
    configField: 'spec.providerConfig',
  }),
  'extensions.gardener.cloud/BackupEntry': (value) => ({
    provider: providerType(object(value.spec).type),
    providerField: 'spec.type',
    schema: 'backupConfig',
    config: object(value.spec).providerConfig,
    configField: 'spec.providerConfig',
  }),
  // Trellis' own machine pool (the pool controller's resource): `spec.provider` and `spec.machineClass`.
  'trellis.dev/MachinePool': (value) => ({
    provider: providerType(object(value.spec).provider),
    providerField: 'spec.provider',
    schema: 'machineClass',
    config: object(value.spec).machineClass,
    configField: 'spec.machineClass',
  }),
};

/** The kinds the webhook validates (`group/Kind`), for the webhook configuration and messages. */
export const ADMISSION_KINDS = Object.keys(TARGETS);

/** What an object of `group/kind` carries, or undefined for a kind the webhook does not know. */
export function admissionTargetOf(group: string, kind: string, value: unknown): AdmissionTarget | undefined {
  return TARGETS[`${group}/${kind}`]?.(object(value));
}
