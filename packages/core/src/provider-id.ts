import { invalidArgument } from './errors.js';

/** A parsed provider id, one variant per cloud (Gardener's formats). */
export type ProviderId =
  /** `aws:///<zone-or-region>/<instance-id>` */
  | { readonly provider: 'aws'; readonly zone: string; readonly instanceId: string }
  /** `gce:///<project>/<zone>/<name>` */
  | { readonly provider: 'gcp'; readonly project: string; readonly zone: string; readonly name: string }
  /** `azure:///<location>/<vm-name>` */
  | { readonly provider: 'azure'; readonly location: string; readonly vmName: string }
  /** `<region>.<instance-id>` */
  | { readonly provider: 'alicloud'; readonly region: string; readonly instanceId: string }
  /** `local:///<cluster>/<machine-id>` */
  | { readonly provider: 'local'; readonly cluster: string; readonly machineId: string };

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function segments(value: string, field: string, parts: string[]): string[] {
  for (const part of parts) {
    if (!SEGMENT.test(part)) {
      throw invalidArgument(`invalid provider id "${value}"`, [
        { path: field, message: `"${part}" is not a valid provider id segment` },
      ]);
    }
  }
  return parts;
}

/** Formats a provider id; every segment must be non-empty without `/`. */
export function formatProviderId(id: ProviderId): string {
  let text: string;
  switch (id.provider) {
    case 'aws':
      text = `aws:///${id.zone}/${id.instanceId}`;
      break;
    case 'gcp':
      text = `gce:///${id.project}/${id.zone}/${id.name}`;
      break;
    case 'azure':
      text = `azure:///${id.location}/${id.vmName}`;
      break;
    case 'alicloud':
      text = `${id.region}.${id.instanceId}`;
      break;
    case 'local':
      text = `local:///${id.cluster}/${id.machineId}`;
      break;
  }
  parseProviderId(text);
  return text;
}

/**
 * The provider id a Kubernetes Node of this machine carries (`spec.providerID`, written by the
 * cloud's cloud-controller-manager): `gce://<project>/<zone>/<name>` (two slashes) on GCP, the same
 * string as {@link formatProviderId} elsewhere. Undefined where the Node form needs more than the
 * id holds (Azure's Node form names the subscription and resource group).
 */
export function formatNodeProviderId(id: ProviderId): string | undefined {
  if (id.provider === 'gcp') return `gce://${formatProviderId(id).slice('gce:///'.length)}`;
  if (id.provider === 'azure') return undefined;
  return formatProviderId(id);
}

/**
 * Parses any of the five provider id formats, and GCE's Node form `gce://<project>/<zone>/<name>`
 * (the same machine); `InvalidArgument` when it matches none.
 */
export function parseProviderId(value: string): ProviderId {
  const node = /^gce:\/\/([^/].*)$/.exec(value);
  if (node) return parseProviderId(`gce:///${node[1]}`);
  const scheme = /^([a-z]+):\/\/\/(.+)$/.exec(value);
  if (scheme) {
    const [, name, rest] = scheme as unknown as [string, string, string];
    const parts = rest.split('/');
    if (name === 'aws' && parts.length === 2) {
      const [zone, instanceId] = segments(value, 'providerId', parts) as [string, string];
      return { provider: 'aws', zone, instanceId };
    }
    if (name === 'gce' && parts.length === 3) {
      const [project, zone, machine] = segments(value, 'providerId', parts) as [string, string, string];
      return { provider: 'gcp', project, zone, name: machine };
    }
    if (name === 'azure' && parts.length === 2) {
      const [location, vmName] = segments(value, 'providerId', parts) as [string, string];
      return { provider: 'azure', location, vmName };
    }
    if (name === 'local' && parts.length === 2) {
      const [cluster, machineId] = segments(value, 'providerId', parts) as [string, string];
      return { provider: 'local', cluster, machineId };
    }
  } else {
    const alicloud = /^([a-z]{2}(?:-[a-z0-9]+)+)\.(i-[A-Za-z0-9]+)$/.exec(value);
    if (alicloud) return { provider: 'alicloud', region: alicloud[1]!, instanceId: alicloud[2]! };
  }
  throw invalidArgument(`invalid provider id "${value}"`, [
    {
      path: 'providerId',
      message:
        'expected aws:///<zone>/<id>, gce:///<project>/<zone>/<name>, azure:///<location>/<vm>, <region>.<id> or local:///<cluster>/<id>',
    },
  ]);
}
