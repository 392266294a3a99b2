import type { protos } from '@google-cloud/compute';
import { type FieldIssue, invalidArgument } from '@trellis/core';
import { CALL_OPTIONS } from './gcp-compute-clients.js';
import {
  type GcpInfrastructureContext,
  getOrUndefined,
  links,
  mutate,
} from './gcp-infrastructure-context.js';
import { stateKeys } from './gcp-infrastructure-names.js';

type Router = protos.google.cloud.compute.v1.IRouter;
type RouterNat = protos.google.cloud.compute.v1.IRouterNat;

/** Gardener's Cloud NAT of the nodes subnet, with the config's overrides. */
export function desiredNat(context: GcpInfrastructureContext, natIps: readonly string[]): RouterNat {
  const { project, region, names } = context;
  const nat = context.config.networks.cloudNAT ?? {};
  const dynamic = nat.enableDynamicPortAllocation ?? false;
  return {
    name: names.nat,
    natIpAllocateOption: natIps.length > 0 ? 'MANUAL_ONLY' : 'AUTO_ONLY',
    ...(natIps.length > 0 ? { natIps: [...natIps] } : {}),
    sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
    subnetworks: [
      {
        name: links.subnetwork(project, region, names.nodesSubnet),
        sourceIpRangesToNat: ['ALL_IP_RANGES'],
      },
    ],
    minPortsPerVm: nat.minPortsPerVM ?? (dynamic ? 32 : 2048),
    ...(dynamic ? { maxPortsPerVm: nat.maxPortsPerVM ?? 65536 } : {}),
    enableDynamicPortAllocation: dynamic,
    enableEndpointIndependentMapping: nat.endpointIndependentMapping?.enabled ?? false,
    logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    icmpIdleTimeoutSec: nat.icmpIdleTimeoutSec ?? 30,
    tcpEstablishedIdleTimeoutSec: nat.tcpEstablishedIdleTimeoutSec ?? 1200,
    tcpTimeWaitTimeoutSec: nat.tcpTimeWaitTimeoutSec ?? 120,
    tcpTransitoryIdleTimeoutSec: nat.tcpTransitoryIdleTimeoutSec ?? 30,
    udpIdleTimeoutSec: nat.udpIdleTimeoutSec ?? 30,
  };
}

const tail = (link: string | null | undefined) => (link ?? '').split('/').slice(-2).join('/');

/** True when the NAT on the router already is the desired one (links compared by their last segments). */
function sameNat(found: RouterNat | undefined, wanted: RouterNat): boolean {
  if (!found) return false;
  const scalar = (nat: RouterNat) => [
    nat.natIpAllocateOption,
    nat.sourceSubnetworkIpRangesToNat,
    nat.minPortsPerVm ?? null,
    nat.enableDynamicPortAllocation ? (nat.maxPortsPerVm ?? null) : null,
    Boolean(nat.enableDynamicPortAllocation),
    Boolean(nat.enableEndpointIndependentMapping),
    Boolean(nat.logConfig?.enable),
    nat.logConfig?.filter ?? null,
    nat.icmpIdleTimeoutSec ?? null,
    nat.tcpEstablishedIdleTimeoutSec ?? null,
    nat.tcpTimeWaitTimeoutSec ?? null,
    nat.tcpTransitoryIdleTimeoutSec ?? null,
    nat.udpIdleTimeoutSec ?? null,
    (nat.natIps ?? []).map(tail).sort(),
    (nat.subnetworks ?? []).map((subnet) => tail(subnet.name)).sort(),
  ];
  return JSON.stringify(scalar(found)) === JSON.stringify(scalar(wanted));
}

/** The named addresses of `cloudNAT.natIPNames`, which must exist in the region: their links and IPs. */
export async function natAddresses(
  context: GcpInfrastructureContext,
): Promise<Array<{ link: string; ip: string }>> {
  const { compute, project, region } = context;
  const wanted = context.config.networks.cloudNAT?.natIPNames ?? [];
  const issues: FieldIssue[] = [];
  const found = await Promise.all(
    wanted.map(async ({ name }, index) => {
      const address = await getOrUndefined(context, 'addresses.get', () =>
        compute.addresses.get({ project, region, address: name }, CALL_OPTIONS),
      );
      if (!address) {
        issues.push({
          path: `networks.cloudNAT.natIPNames[${index}].name`,
          message: `address "${name}" does not exist in region ${region}`,
        });
        return undefined;
      }
      return { link: links.address(project, region, name), ip: address.address ?? '' };
    }),
  );
  if (issues.length > 0) {
    throw invalidArgument('invalid GCP infrastructure config', issues, {
      provider: 'gcp',
      operation: context.operation,
    });
  }
  return found.filter((address) => address !== undefined);
}

async function getRouter(context: GcpInfrastructureContext): Promise<Router | undefined> {
  const { compute, project, region, names } = context;
  return getOrUndefined(context, 'routers.get', () =>
    compute.routers.get({ project, region, router: names.router }, CALL_OPTIONS),
  );
}

/** Writes the router back with `nats` (PUT: a patch cannot express an empty NAT list). */
async function putNats(context: GcpInfrastructureContext, router: Router, nats: RouterNat[]): Promise<void> {
  const { compute, project, region, names } = context;
  await mutate(context, 'routers.update', (requestId) =>
    compute.routers.update(
      { project, region, router: names.router, requestId, routerResource: { ...router, nats } },
      CALL_OPTIONS,
    ),
  );
}

/**
 * The Cloud NAT `<cluster>-cloud-nat` on the router, for the nodes subnet, with automatic or the
 * named addresses. Other NATs on a user's router are kept. A write-ahead mark names it before the
 * router is written, so a delete after a crash still removes it.
 */
export async function ensureNat(context: GcpInfrastructureContext): Promise<void> {
  const { state, names } = context;
  const addresses = await natAddresses(context);
  const wanted = desiredNat(
    context,
    addresses.map((address) => address.link),
  );
  const router = await getRouter(context);
  if (!router) throw new Error(`router ${names.router} vanished`);
  const existing = (router.nats ?? []).find((nat) => nat.name === names.nat);
  if (!sameNat(existing, wanted)) {
    state.markPending(stateKeys.nat, { kind: 'nat', name: names.nat, attributes: { router: names.router } });
    await context.saveState();
    const others = (router.nats ?? []).filter((nat) => nat.name !== names.nat);
    await putNats(context, router, [...others, wanted]);
  }
  state.set(stateKeys.nat, {
    id: `${names.router}/${names.nat}`,
    kind: 'nat',
    attributes: {
      router: names.router,
      ...(addresses.length > 0 ? { ips: addresses.map((address) => address.ip).join(',') } : {}),
    },
  });
}

/** Removes the NAT from the router (a user's router stays, with its other NATs). */
export async function removeNat(context: GcpInfrastructureContext): Promise<void> {
  const router = await getRouter(context);
  if (!router || !(router.nats ?? []).some((nat) => nat.name === context.names.nat)) return;
  await putNats(
    context,
    router,
    (router.nats ?? []).filter((nat) => nat.name !== context.names.nat),
  );
}

/** The NAT's external addresses: the named ones, or those GCE allocated (the router's status). */
export async function natIps(context: GcpInfrastructureContext): Promise<string[]> {
  const recorded = context.state.get(stateKeys.nat)?.attributes?.ips;
  if (typeof recorded === 'string' && recorded) return recorded.split(',');
  const { compute, project, region, names } = context;
  const status = await getOrUndefined(context, 'routers.getRouterStatus', () =>
    compute.routers.getRouterStatus({ project, region, router: names.router }, CALL_OPTIONS),
  );
  const nat = status?.result?.natStatus?.find((candidate) => candidate.name === names.nat);
  return [...(nat?.autoAllocatedNatIps ?? [])].sort();
}
