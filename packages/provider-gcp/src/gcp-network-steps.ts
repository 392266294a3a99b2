import type { protos } from '@google-cloud/compute';
import { invalidArgument } from '@trellis/core';
import { CALL_OPTIONS } from './gcp-compute-clients.js';
import {
  ensureNamedResource,
  type GcpInfrastructureContext,
  getOrUndefined,
  links,
  mutate,
  ownedDescription,
} from './gcp-infrastructure-context.js';
import { stateKeys } from './gcp-infrastructure-names.js';
import { natAddresses } from './gcp-nat-step.js';

type Subnetwork = protos.google.cloud.compute.v1.ISubnetwork;
type LogConfig = protos.google.cloud.compute.v1.ISubnetworkLogConfig;

/** The VPC network: the user's (looked up, recorded as not managed) or `<cluster>` in custom subnet mode. */
export async function ensureNetwork(context: GcpInfrastructureContext): Promise<void> {
  const { compute, project, config, names, state } = context;
  const get = () => compute.networks.get({ project, network: names.network }, CALL_OPTIONS);
  if (config.networks.vpc) {
    const found = await getOrUndefined(context, 'networks.get', get);
    if (!found) {
      throw invalidArgument(
        'invalid GCP infrastructure config',
        [
          {
            path: 'networks.vpc.name',
            message: `network "${names.network}" does not exist in project ${project}`,
          },
        ],
        { provider: 'gcp', operation: context.operation },
      );
    }
    // What else the config names must exist too, before anything is made.
    if (config.networks.vpc.cloudRouter) await checkUserRouter(context);
    await natAddresses(context);
    state.set(stateKeys.network, { id: names.network, kind: 'network', managed: false });
    return;
  }
  await natAddresses(context);
  await ensureNamedResource(context, {
    key: stateKeys.network,
    kind: 'network',
    name: names.network,
    collection: 'networks',
    what: 'network',
    get,
    insert: (requestId) =>
      compute.networks.insert(
        {
          project,
          requestId,
          networkResource: {
            name: names.network,
            description: ownedDescription('network', context.cluster),
            autoCreateSubnetworks: false,
            routingConfig: { routingMode: 'REGIONAL' },
            ...(config.networks.mtu === undefined ? {} : { mtu: config.networks.mtu }),
          },
        },
        CALL_OPTIONS,
      ),
    // The MTU the config asked for (GCE reports its default, 1460, otherwise).
    attributes: () => (config.networks.mtu === undefined ? undefined : { mtu: config.networks.mtu }),
  });
}

/** Gardener's flow log settings of the nodes subnet: its defaults for what the config leaves out. */
function logConfigOf(context: GcpInfrastructureContext, purpose: 'nodes' | 'internal'): LogConfig {
  const flowLogs = context.config.networks.flowLogs;
  if (purpose !== 'nodes' || !flowLogs) return { enable: false };
  return {
    enable: true,
    aggregationInterval: flowLogs.aggregationInterval ?? 'INTERVAL_5_MIN',
    flowSampling: flowLogs.flowSampling ?? 0.5,
    metadata: flowLogs.metadata ?? 'EXCLUDE_ALL_METADATA',
  };
}

function sameLogConfig(found: Subnetwork, wanted: LogConfig): boolean {
  const current = found.logConfig ?? {};
  if (!(current.enable ?? found.enableFlowLogs ?? false)) return !wanted.enable;
  return (
    wanted.enable === true &&
    current.aggregationInterval === wanted.aggregationInterval &&
    Math.abs((current.flowSampling ?? 0) - (wanted.flowSampling ?? 0)) < 1e-6 &&
    current.metadata === wanted.metadata
  );
}

/**
 * The subnet `<cluster>-nodes` (or `-internal`) in the network, with flow logs as the config asks;
 * a changed flow log setting is patched in (with the subnet's fingerprint).
 */
export async function ensureSubnet(
  context: GcpInfrastructureContext,
  purpose: 'nodes' | 'internal',
): Promise<void> {
  const { compute, project, region, config, names } = context;
  const name = purpose === 'nodes' ? names.nodesSubnet : names.internalSubnet;
  const cidr = purpose === 'nodes' ? config.networks.workers : config.networks.internal!;
  const logConfig = logConfigOf(context, purpose);
  const get = () => compute.subnetworks.get({ project, region, subnetwork: name }, CALL_OPTIONS);
  const subnet = await ensureNamedResource(context, {
    key: stateKeys.subnet(purpose),
    kind: 'subnet',
    name,
    collection: 'subnetworks',
    what: `${purpose} subnet`,
    get,
    insert: (requestId) =>
      compute.subnetworks.insert(
        {
          project,
          region,
          requestId,
          subnetworkResource: {
            name,
            description: ownedDescription(`${purpose} subnet`, context.cluster),
            network: links.network(project, names.network),
            ipCidrRange: cidr,
            privateIpGoogleAccess: false,
            logConfig,
          },
        },
        CALL_OPTIONS,
      ),
    attributes: (found) => ({ cidr: found.ipCidrRange ?? cidr }),
  });
  if (sameLogConfig(subnet, logConfig)) return;
  await mutate(context, 'subnetworks.patch', (requestId) =>
    compute.subnetworks.patch(
      {
        project,
        region,
        subnetwork: name,
        requestId,
        subnetworkResource: { fingerprint: subnet.fingerprint ?? null, logConfig },
      },
      CALL_OPTIONS,
    ),
  );
}

/** The user's Cloud Router must exist in the user's network (`networks.vpc.cloudRouter.name`). */
async function checkUserRouter(context: GcpInfrastructureContext): Promise<void> {
  const { compute, project, region, names } = context;
  const found = await getOrUndefined(context, 'routers.get', () =>
    compute.routers.get({ project, region, router: names.router }, CALL_OPTIONS),
  );
  if (!found || !(found.network ?? '').endsWith(`/networks/${names.network}`)) {
    throw invalidArgument(
      'invalid GCP infrastructure config',
      [
        {
          path: 'networks.vpc.cloudRouter.name',
          message: found
            ? `router "${names.router}" is not in network "${names.network}"`
            : `router "${names.router}" does not exist in region ${region}`,
        },
      ],
      { provider: 'gcp', operation: context.operation },
    );
  }
}

/** The Cloud Router: the user's (must exist in the network) or `<cluster>-cloud-router`. */
export async function ensureRouter(context: GcpInfrastructureContext): Promise<void> {
  const { compute, project, region, config, names, state } = context;
  const get = () => compute.routers.get({ project, region, router: names.router }, CALL_OPTIONS);
  if (config.networks.vpc?.cloudRouter) {
    await checkUserRouter(context);
    state.set(stateKeys.router, { id: names.router, kind: 'router', managed: false });
    return;
  }
  await ensureNamedResource(context, {
    key: stateKeys.router,
    kind: 'router',
    name: names.router,
    collection: 'routers',
    what: 'router',
    get,
    insert: (requestId) =>
      compute.routers.insert(
        {
          project,
          region,
          requestId,
          routerResource: {
            name: names.router,
            description: ownedDescription('router', context.cluster),
            network: links.network(project, names.network),
          },
        },
        CALL_OPTIONS,
      ),
  });
}
