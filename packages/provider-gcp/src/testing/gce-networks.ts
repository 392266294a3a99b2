import { type RouteMatch, readJson } from '@trellis/testkit/fake';
import { GceFakeError, invalid } from './gce-errors.js';
import type { FakeResource, GceFakeState } from './gce-fake-state.js';
import { cidrsOverlap, fingerprint, inUse, parseCidr, refPath, sameRef } from './gce-network-refs.js';
import type { NetworkStore } from './gce-network-store.js';

const body = (match: RouteMatch) => readJson<FakeResource>(match.request) ?? ({} as FakeResource);

/** Flow log settings as GCE stores them: its defaults filled in when enabled. */
function logConfigOf(input: unknown): Record<string, unknown> {
  const config = (input ?? {}) as Record<string, unknown>;
  if (!config.enable) return { enable: false };
  const sampling = config.flowSampling ?? 0.5;
  if (typeof sampling !== 'number' || sampling < 0 || sampling > 1) {
    throw invalid(`Invalid value for field 'resource.logConfig.flowSampling': '${String(sampling)}'.`);
  }
  return {
    enable: true,
    aggregationInterval: config.aggregationInterval ?? 'INTERVAL_5_SEC',
    flowSampling: sampling,
    metadata: config.metadata ?? 'INCLUDE_ALL_METADATA',
  };
}

/** Networks, subnetworks and firewalls: the global and regional resources a VPC is made of. */
export function networkHandlers(state: GceFakeState, store: NetworkStore) {
  const { link } = store;

  /** Who refers to the network at `path` (subnetworks, routers, firewalls, instances). */
  function networkUser(project: string, path: string): string | undefined {
    for (const collection of ['subnetworks', 'routers', 'firewalls'] as const) {
      const user = store
        .all(project, collection)
        .find((resource) => sameRef(project, resource.network, path));
      if (user) return refPath(project, user.selfLink);
    }
    const instance = state.instances
      .list(`projects/${project}/`)
      .find((entry) =>
        ((entry.value.networkInterfaces as Array<{ network?: string }> | undefined) ?? []).some((nic) =>
          sameRef(project, nic.network, path),
        ),
      );
    return instance?.key;
  }

  const insertNetwork = (match: RouteMatch) => {
    const input = body(match);
    const mtu = input.mtu ?? 1460;
    if (typeof mtu !== 'number' || mtu < 1300 || mtu > 8896) {
      throw invalid(
        `Invalid value for field 'resource.mtu': '${String(mtu)}'. Must be between 1300 and 8896.`,
      );
    }
    return store.insert(
      match,
      'networks',
      (resource) => ({
        kind: 'compute#network',
        name: resource.name,
        selfLink: '',
        ...(resource.description === undefined ? {} : { description: resource.description }),
        autoCreateSubnetworks: resource.autoCreateSubnetworks ?? true,
        mtu,
        routingConfig: { routingMode: 'REGIONAL', ...((resource.routingConfig as object | undefined) ?? {}) },
        networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
      }),
      input,
    );
  };

  const deleteNetwork = (match: RouteMatch) =>
    store.remove(match, 'networks', (path) => {
      const user = networkUser(store.project(match), path);
      if (user) throw inUse(path, user);
    });

  /** The subnetworks the network's JSON lists. */
  const decorateNetwork = (network: FakeResource): FakeResource => {
    const project = refPath('', network.selfLink)!.split('/')[1]!;
    const subnetworks = store
      .all(project, 'subnetworks')
      .filter((subnet) => sameRef(project, subnet.network, network.selfLink))
      .map((subnet) => subnet.selfLink);
    return { ...network, ...(subnetworks.length ? { subnetworks } : {}) };
  };

  const insertSubnetwork = (match: RouteMatch) => {
    const input = body(match);
    const project = store.project(match);
    const { region } = match.params as { region: string };
    const network = store.existingRef(project, input.network, 'resource.network');
    const range = input.ipCidrRange;
    const parsed = parseCidr(range);
    if (!parsed || parsed.size < 8) {
      throw invalid(
        `Invalid value for field 'resource.ipCidrRange': '${String(range ?? '')}'. Invalid IPCidrRange.`,
      );
    }
    const clash = store
      .all(project, 'subnetworks')
      .find(
        (subnet) =>
          subnet.name !== input.name &&
          sameRef(project, subnet.network, network) &&
          cidrsOverlap(String(subnet.ipCidrRange), String(range)),
      );
    if (clash) {
      throw invalid(
        `Invalid IPCidrRange: ${String(range)} conflicts with existing subnetwork '${clash.name}' in region '${String(clash.region).split('/').at(-1)}'.`,
      );
    }
    return store.insert(
      match,
      'subnetworks',
      (resource) => {
        const logConfig = logConfigOf(resource.logConfig);
        return {
          kind: 'compute#subnetwork',
          name: resource.name,
          selfLink: '',
          ...(resource.description === undefined ? {} : { description: resource.description }),
          network: link(network),
          region: link(`projects/${project}/regions/${region}`),
          ipCidrRange: range,
          gatewayAddress: ipAt(parsed.start + 1),
          privateIpGoogleAccess: resource.privateIpGoogleAccess ?? false,
          stackType: 'IPV4_ONLY',
          purpose: 'PRIVATE',
          logConfig,
          enableFlowLogs: logConfig.enable,
          fingerprint: fingerprint(0),
        };
      },
      input,
    );
  };

  const patchSubnetwork = (match: RouteMatch) => {
    const input = body(match);
    return store.write(match, 'subnetworks', (current) => {
      if (input.fingerprint !== current.fingerprint) {
        throw new GceFakeError(
          412,
          'conditionNotMet',
          'Supplied fingerprint does not match current fingerprint.',
        );
      }
      const next: FakeResource = { ...current, fingerprint: fingerprint(Number(current.id)) };
      if (input.logConfig !== undefined) {
        next.logConfig = logConfigOf(input.logConfig);
        next.enableFlowLogs = (next.logConfig as { enable: boolean }).enable;
      }
      if (input.privateIpGoogleAccess !== undefined) next.privateIpGoogleAccess = input.privateIpGoogleAccess;
      if (input.ipCidrRange !== undefined && input.ipCidrRange !== current.ipCidrRange) {
        throw invalid(
          "Invalid value for field 'resource.ipCidrRange': a subnetwork's range can only be expanded.",
        );
      }
      return next;
    });
  };

  const deleteSubnetwork = (match: RouteMatch) =>
    store.remove(match, 'subnetworks', (path) => {
      const project = store.project(match);
      const router = store
        .all(project, 'routers')
        .find((candidate) =>
          ((candidate.nats as Array<{ subnetworks?: Array<{ name?: string }> }> | undefined) ?? []).some(
            (nat) => (nat.subnetworks ?? []).some((subnet) => sameRef(project, subnet.name, path)),
          ),
        );
      if (router) throw inUse(path, refPath(project, router.selfLink)!);
      const instance = state.instances
        .list(`projects/${project}/`)
        .find((entry) =>
          ((entry.value.networkInterfaces as Array<{ subnetwork?: string }> | undefined) ?? []).some((nic) =>
            sameRef(project, nic.subnetwork, path),
          ),
        );
      if (instance) throw inUse(path, instance.key);
    });

  /** A firewall's body as GCE keeps it: checked, defaults filled in, links made full. */
  const firewallOf = (project: string, input: FakeResource): FakeResource => {
    const network = store.existingRef(
      project,
      input.network ?? 'global/networks/default',
      'resource.network',
    );
    const allowed = (input.allowed as Array<Record<string, unknown>> | undefined) ?? [];
    const denied = (input.denied as Array<Record<string, unknown>> | undefined) ?? [];
    if (
      allowed.length + denied.length === 0 ||
      [...allowed, ...denied].some((rule) => typeof rule.IPProtocol !== 'string')
    ) {
      throw invalid(
        "Invalid value for field 'resource.allowed[0].IPProtocol': ''. Every rule needs an IP protocol.",
      );
    }
    for (const range of (input.sourceRanges as string[] | undefined) ?? []) {
      if (!parseCidr(range.includes('/') ? range : `${range}/32`)) {
        throw invalid(`Invalid value for field 'resource.sourceRanges': '${range}'. Must be a CIDR.`);
      }
    }
    return {
      kind: 'compute#firewall',
      ...input,
      network: link(network),
      direction: input.direction ?? 'INGRESS',
      priority: input.priority ?? 1000,
      disabled: input.disabled ?? false,
      logConfig: { enable: false },
    };
  };

  const insertFirewall = (match: RouteMatch) => {
    const input = body(match);
    const resource = firewallOf(store.project(match), input);
    return store.insert(match, 'firewalls', () => resource, input);
  };

  const updateFirewall = (match: RouteMatch) => {
    const input = body(match);
    return store.write(match, 'firewalls', (current) => {
      if (input.network !== undefined && !sameRef(store.project(match), input.network, current.network)) {
        throw invalid("Invalid value for field 'resource.network': a firewall's network cannot change.");
      }
      return firewallOf(store.project(match), {
        ...input,
        network: current.network,
        name: current.name,
        selfLink: current.selfLink,
      });
    });
  };

  return {
    insertNetwork,
    getNetwork: (match: RouteMatch) => store.get(match, 'networks', decorateNetwork),
    listNetworks: (match: RouteMatch) => store.list(match, 'networks', 'compute#networkList'),
    deleteNetwork,
    insertSubnetwork,
    getSubnetwork: (match: RouteMatch) => store.get(match, 'subnetworks'),
    listSubnetworks: (match: RouteMatch) => store.list(match, 'subnetworks', 'compute#subnetworkList'),
    patchSubnetwork,
    deleteSubnetwork,
    insertFirewall,
    getFirewall: (match: RouteMatch) => store.get(match, 'firewalls'),
    listFirewalls: (match: RouteMatch) => store.list(match, 'firewalls', 'compute#firewallList'),
    updateFirewall,
    deleteFirewall: (match: RouteMatch) => store.remove(match, 'firewalls'),
  };
}

function ipAt(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}
