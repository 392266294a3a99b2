import { createHash } from 'node:crypto';
import { jsonResponse, type RouteMatch, readJson } from '@trellis/testkit/fake';
import { invalid } from './gce-errors.js';
import type { FakeResource } from './gce-fake-state.js';
import { inUse, refPath, sameRef } from './gce-network-refs.js';
import type { NetworkStore } from './gce-network-store.js';

type Nat = Record<string, unknown> & {
  name?: string;
  natIpAllocateOption?: string;
  natIps?: string[];
  sourceSubnetworkIpRangesToNat?: string;
  subnetworks?: Array<{ name?: string; sourceIpRangesToNat?: string[] }>;
};

const body = (match: RouteMatch) => readJson<FakeResource>(match.request) ?? ({} as FakeResource);

/** The addresses GCE would allocate to an `AUTO_ONLY` NAT: stable for its router and name. */
function autoAllocated(router: string, nat: string): string[] {
  const digest = createHash('sha256').update(`${router}/${nat}`).digest();
  return [`35.${187 + (digest[0]! % 8)}.${digest[1]}.${(digest[2]! % 254) + 1}`];
}

/** Cloud Routers with their NATs, and regional external addresses. */
export function routerHandlers(store: NetworkStore) {
  const { link } = store;

  /** A router's NATs checked as GCE checks them: their subnetworks and addresses must exist. */
  function natsOf(project: string, input: unknown, network: string): Nat[] {
    const nats = (input as Nat[] | undefined) ?? [];
    return nats.map((nat, index) => {
      const field = `resource.nats[${index}]`;
      if (typeof nat.name !== 'string' || !nat.name)
        throw invalid(`Invalid value for field '${field}.name': ''.`);
      const option = nat.natIpAllocateOption;
      if (option !== 'AUTO_ONLY' && option !== 'MANUAL_ONLY') {
        throw invalid(`Invalid value for field '${field}.natIpAllocateOption': '${String(option ?? '')}'.`);
      }
      const natIps = (nat.natIps ?? []).map((ip) => link(store.existingRef(project, ip, `${field}.natIps`)));
      if (option === 'MANUAL_ONLY' && natIps.length === 0) {
        throw invalid(
          `Invalid value for field '${field}.natIps': ''. MANUAL_ONLY needs at least one address.`,
        );
      }
      const subnetworks = (nat.subnetworks ?? []).map((subnet) => {
        const path = store.existingRef(project, subnet.name, `${field}.subnetworks.name`);
        if (!sameRef(project, store.existing(path).network, network)) {
          throw invalid(
            `Invalid value for field '${field}.subnetworks': '${path}' is not in the router's network.`,
          );
        }
        return { ...subnet, name: link(path) };
      });
      if (nat.sourceSubnetworkIpRangesToNat === 'LIST_OF_SUBNETWORKS' && subnetworks.length === 0) {
        throw invalid(
          `Invalid value for field '${field}.subnetworks': ''. LIST_OF_SUBNETWORKS needs subnetworks.`,
        );
      }
      return { ...nat, ...(natIps.length ? { natIps } : {}), ...(subnetworks.length ? { subnetworks } : {}) };
    });
  }

  const routerOf = (match: RouteMatch, input: FakeResource, current?: FakeResource): FakeResource => {
    const project = store.project(match);
    const { region } = match.params as { region: string };
    const network = current
      ? String(current.network)
      : store.existingRef(project, input.network, 'resource.network');
    if (current && input.network !== undefined && !sameRef(project, input.network, network)) {
      throw invalid("Invalid value for field 'resource.network': a router's network cannot change.");
    }
    return {
      kind: 'compute#router',
      ...input,
      name: current?.name ?? input.name,
      selfLink: current?.selfLink ?? '',
      network: link(refPath(project, network)!),
      region: link(`projects/${project}/regions/${region}`),
      nats: natsOf(project, input.nats, network),
    };
  };

  const routerStatus = (match: RouteMatch) => {
    const { name } = match.params as { name: string };
    const project = store.project(match);
    const { region } = match.params as { region: string };
    const path = `projects/${project}/regions/${region}/routers/${name}`;
    const router = store.existing(path);
    const natStatus = ((router.nats as Nat[] | undefined) ?? []).map((nat) => ({
      name: nat.name,
      ...(nat.natIpAllocateOption === 'AUTO_ONLY'
        ? { autoAllocatedNatIps: autoAllocated(path, nat.name!) }
        : {
            userAllocatedNatIps: (nat.natIps ?? []).map(
              (ip) => store.existing(refPath(project, ip)!).address as string,
            ),
          }),
      minExtraNatIpsNeeded: 0,
      numVmEndpointsWithNatMappings: 0,
    }));
    return jsonResponse(200, {
      kind: 'compute#routerStatusResponse',
      result: { network: router.network, natStatus },
    });
  };

  let nextAddress = 10;
  const insertAddress = (match: RouteMatch) => {
    const input = body(match);
    const { region } = match.params as { region: string };
    return store.insert(
      match,
      'addresses',
      (resource) => {
        nextAddress += 1;
        return {
          kind: 'compute#address',
          name: resource.name,
          selfLink: '',
          ...(resource.description === undefined ? {} : { description: resource.description }),
          address: resource.address ?? `34.76.${Math.floor(nextAddress / 250)}.${nextAddress % 250}`,
          addressType: resource.addressType ?? 'EXTERNAL',
          networkTier: resource.networkTier ?? 'PREMIUM',
          region: link(`projects/${store.project(match)}/regions/${region}`),
        };
      },
      input,
    );
  };

  /** The routers whose NATs use the address at `path`. */
  const addressUsers = (project: string, path: string) =>
    store
      .all(project, 'routers')
      .filter((router) =>
        ((router.nats as Nat[] | undefined) ?? []).some((nat) =>
          (nat.natIps ?? []).some((ip) => sameRef(project, ip, path)),
        ),
      );

  const decorateAddress =
    (project: string) =>
    (address: FakeResource): FakeResource => {
      const users = addressUsers(project, refPath(project, address.selfLink)!).map(
        (router) => router.selfLink,
      );
      return { ...address, status: users.length ? 'IN_USE' : 'RESERVED', ...(users.length ? { users } : {}) };
    };

  return {
    insertRouter: (match: RouteMatch) => {
      const input = body(match);
      return store.insert(match, 'routers', () => routerOf(match, input), input);
    },
    getRouter: (match: RouteMatch) => store.get(match, 'routers'),
    listRouters: (match: RouteMatch) => store.list(match, 'routers', 'compute#routerList'),
    updateRouter: (match: RouteMatch) => {
      const input = body(match);
      return store.write(match, 'routers', (current) => routerOf(match, input, current));
    },
    patchRouter: (match: RouteMatch) => {
      const input = body(match);
      return store.write(match, 'routers', (current) => routerOf(match, { ...current, ...input }, current));
    },
    deleteRouter: (match: RouteMatch) => store.remove(match, 'routers'),
    routerStatus,
    insertAddress,
    getAddress: (match: RouteMatch) => store.get(match, 'addresses', decorateAddress(store.project(match))),
    deleteAddress: (match: RouteMatch) =>
      store.remove(match, 'addresses', (path) => {
        const [user] = addressUsers(store.project(match), path);
        if (user) throw inUse(path, refPath(store.project(match), user.selfLink)!);
      }),
  };
}
