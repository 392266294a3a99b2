import type { FakeDefinition } from '@trellis/core';
import type { Clock, TokenBucketLimit } from '@trellis/provider-kit';
import {
  addStartFaults,
  type CallLog,
  type FakeRequest,
  type FakeResponse,
  FakeRouter,
  FaultInjector,
  jsonResponse,
  startFakeServer,
} from '@trellis/testkit/fake';
import { GceFakeError, gceErrorResponse, notFound } from './gce-errors.js';
import {
  type FakeInstance,
  type FakeOperationError,
  type FakeResource,
  GceFakeState,
} from './gce-fake-state.js';
import { instanceHandlers } from './gce-instances.js';
import { networkStore } from './gce-network-store.js';
import { networkHandlers } from './gce-networks.js';
import { routerHandlers } from './gce-routers.js';
import { IamFakeError, iamErrorResponse, serviceAccountHandlers } from './iam-service-accounts.js';

/** Options of {@link startGceFake}. */
export interface GceFakeOptions {
  /** Polls (`operations.get` / `wait`) an operation needs before it is `DONE`. @default 1 */
  operationPolls?: number;
  /** Seed of the fault injector. @default 1 */
  seed?: number;
  /**
   * Enforce Compute Engine's per-project API rate limits with token buckets (reads: get, wait;
   * lists; mutations): a call beyond them is answered 429 `rateLimitExceeded`. @default off
   */
  rateLimits?: { read: TokenBucketLimit; list: TokenBucketLimit; mutate: TokenBucketLimit };
  /** Time of the rate limits (a manual clock scales them in tests). */
  clock?: Clock;
  /** @default a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** A running offline GCE fake. */
export interface GceFake {
  /** `http://127.0.0.1:<port>`: the compute endpoint (`endpoints.compute`). */
  readonly url: string;
  readonly port: number;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** The instances that exist, as GCE's JSON, across every project and zone. */
  instances(): FakeInstance[];
  /**
   * The networks, subnetworks, routers, firewalls and addresses that exist, as GCE's JSON, by
   * path (`projects/<p>/global/networks/<n>`, `projects/<p>/regions/<r>/routers/<n>`).
   */
  resources(): Map<string, FakeResource>;
  /** The IAM service accounts that exist, by `projects/<p>/serviceAccounts/<email>`. */
  serviceAccounts(): Map<string, Record<string, unknown>>;
  /** Makes the next insert's operation end `DONE` with this error (and no instance). */
  failNextInsert(error: FakeOperationError): void;
  close(): Promise<void>;
}

/**
 * Starts the offline GCE fake on 127.0.0.1: the compute v1 REST/JSON API for instances (insert,
 * get, list, aggregated list, delete), networks, subnetworks (with fingerprinted patch), firewalls,
 * Cloud Routers with their NATs (and `getRouterStatus`), regional addresses, and zone, region and
 * global operations (get, wait); on the same port IAM v1's service accounts
 * (`/v1/projects/{project}/serviceAccounts`: the `endpoints.iam` of the provider). With state,
 * "in use by another resource" answers for deletes of what others refer to, operations that
 * take a few polls, `requestId` de-duplication, `filter` (`=`, `!=`, `:*` on dotted paths) and
 * `maxResults` / `pageToken` paging, GCE's error bodies, the fake kit's faults and call log.
 */
export async function startGceFake(options: GceFakeOptions = {}): Promise<GceFake> {
  const state = new GceFakeState();
  state.operationPolls = options.operationPolls ?? 1;
  let baseUrl = '';
  const handlers = instanceHandlers(state, () => baseUrl);
  const store = networkStore(state, () => baseUrl);
  const net = networkHandlers(state, store);
  const routers = routerHandlers(store);
  const accounts = serviceAccountHandlers(state);
  const zone = '/compute/v1/projects/{project}/zones/{zone}';
  const region = '/compute/v1/projects/{project}/regions/{region}';
  const global = '/compute/v1/projects/{project}/global';
  const iam = '/v1/projects/{project}/serviceAccounts';
  const router = new FakeRouter((request) =>
    gceErrorResponse(notFound(request.url.pathname.replace(/^\/compute\/v1\//, ''))),
  )
    .add('POST', `${zone}/instances`, 'compute.instances.insert', handlers.insert)
    .add('GET', `${zone}/instances`, 'compute.instances.list', handlers.list)
    .add('GET', `${zone}/instances/{name}`, 'compute.instances.get', handlers.get)
    .add('DELETE', `${zone}/instances/{name}`, 'compute.instances.delete', handlers.remove)
    .add(
      'GET',
      '/compute/v1/projects/{project}/aggregated/instances',
      'compute.instances.aggregatedList',
      handlers.aggregatedList,
    )
    .add('GET', `${zone}/operations/{operation}`, 'compute.zoneOperations.get', handlers.operation)
    .add('POST', `${zone}/operations/{operation}/wait`, 'compute.zoneOperations.wait', handlers.operation)
    .add('GET', `${region}/operations/{operation}`, 'compute.regionOperations.get', store.poll)
    .add('POST', `${region}/operations/{operation}/wait`, 'compute.regionOperations.wait', store.poll)
    .add('GET', `${global}/operations/{operation}`, 'compute.globalOperations.get', store.poll)
    .add('POST', `${global}/operations/{operation}/wait`, 'compute.globalOperations.wait', store.poll)
    .add('POST', `${global}/networks`, 'compute.networks.insert', net.insertNetwork)
    .add('GET', `${global}/networks`, 'compute.networks.list', net.listNetworks)
    .add('GET', `${global}/networks/{name}`, 'compute.networks.get', net.getNetwork)
    .add('DELETE', `${global}/networks/{name}`, 'compute.networks.delete', net.deleteNetwork)
    .add('POST', `${region}/subnetworks`, 'compute.subnetworks.insert', net.insertSubnetwork)
    .add('GET', `${region}/subnetworks`, 'compute.subnetworks.list', net.listSubnetworks)
    .add('GET', `${region}/subnetworks/{name}`, 'compute.subnetworks.get', net.getSubnetwork)
    .add('PATCH', `${region}/subnetworks/{name}`, 'compute.subnetworks.patch', net.patchSubnetwork)
    .add('DELETE', `${region}/subnetworks/{name}`, 'compute.subnetworks.delete', net.deleteSubnetwork)
    .add('POST', `${global}/firewalls`, 'compute.firewalls.insert', net.insertFirewall)
    .add('GET', `${global}/firewalls`, 'compute.firewalls.list', net.listFirewalls)
    .add('GET', `${global}/firewalls/{name}`, 'compute.firewalls.get', net.getFirewall)
    .add('PUT', `${global}/firewalls/{name}`, 'compute.firewalls.update', net.updateFirewall)
    .add('DELETE', `${global}/firewalls/{name}`, 'compute.firewalls.delete', net.deleteFirewall)
    .add('POST', `${region}/routers`, 'compute.routers.insert', routers.insertRouter)
    .add('GET', `${region}/routers`, 'compute.routers.list', routers.listRouters)
    .add('GET', `${region}/routers/{name}`, 'compute.routers.get', routers.getRouter)
    .add(
      'GET',
      `${region}/routers/{name}/getRouterStatus`,
      'compute.routers.getRouterStatus',
      routers.routerStatus,
    )
    .add('PUT', `${region}/routers/{name}`, 'compute.routers.update', routers.updateRouter)
    .add('PATCH', `${region}/routers/{name}`, 'compute.routers.patch', routers.patchRouter)
    .add('DELETE', `${region}/routers/{name}`, 'compute.routers.delete', routers.deleteRouter)
    .add('POST', `${region}/addresses`, 'compute.addresses.insert', routers.insertAddress)
    .add('GET', `${region}/addresses/{name}`, 'compute.addresses.get', routers.getAddress)
    .add('DELETE', `${region}/addresses/{name}`, 'compute.addresses.delete', routers.deleteAddress)
    .add('POST', iam, 'iam.projects.serviceAccounts.create', accounts.create)
    .add('GET', iam, 'iam.projects.serviceAccounts.list', accounts.list)
    .add('GET', `${iam}/{account}`, 'iam.projects.serviceAccounts.get', accounts.get)
    .add('DELETE', `${iam}/{account}`, 'iam.projects.serviceAccounts.delete', accounts.remove);

  const handle = async (request: FakeRequest): Promise<FakeResponse> => {
    try {
      return await router.handle(request);
    } catch (error) {
      if (error instanceof GceFakeError) return gceErrorResponse(error);
      if (error instanceof IamFakeError) return iamErrorResponse(error);
      if (error instanceof SyntaxError)
        return gceErrorResponse(new GceFakeError(400, 'parseError', 'Parse Error'));
      const detail = error instanceof Error ? error.message : String(error);
      return jsonResponse(500, { error: { code: 500, message: `GCE fake defect: ${detail}`, errors: [] } });
    }
  };

  const server = await startFakeServer({
    actionOf: router.actionOf,
    handle,
    renderFault: (kind, _request, status) =>
      kind === 'throttle'
        ? gceErrorResponse(new GceFakeError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'))
        : gceErrorResponse(new GceFakeError(status === 500 ? 500 : 503, 'backendError', 'Backend Error')),
    faults: new FaultInjector({ seed: options.seed ?? 1 }),
    ...(options.rateLimits
      ? {
          rateLimits: {
            buckets: options.rateLimits,
            classify: (action: string) => {
              const method = action.split('.').at(-1) ?? '';
              const bucket: 'read' | 'list' | 'mutate' = /^(list|aggregatedList)$/.test(method)
                ? 'list'
                : /^(get|wait)$/.test(method)
                  ? 'read'
                  : 'mutate';
              return action === 'Unknown' ? [] : [{ bucket, tokens: 1 }];
            },
            ...(options.clock ? { clock: options.clock } : {}),
          },
        }
      : {}),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  baseUrl = server.url;
  return {
    url: server.url,
    port: server.port,
    calls: server.calls,
    faults: server.faults,
    instances: () => state.instances.list().map((entry) => structuredClone(entry.value)),
    resources: () =>
      new Map(state.resources.list().map((entry) => [entry.key, structuredClone(entry.value)])),
    serviceAccounts: () =>
      new Map(state.serviceAccounts.list().map((entry) => [entry.key, structuredClone(entry.value)])),
    failNextInsert: (error) => {
      state.insertFailures.push(error);
    },
    close: () => server.close(),
  };
}

/** `trellis fake gcp`: the offline GCE fake, with settings that point the provider at it. */
export const fakeDefinition: FakeDefinition = {
  type: 'gcp',
  async start(options = {}) {
    const fake = await startGceFake({
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
    });
    addStartFaults(fake.faults, options);
    return {
      endpoints: { compute: fake.url, iam: fake.url },
      providerSettings: {
        project: 'trellis-fake',
        region: 'europe-west1',
        endpoints: { compute: fake.url, iam: fake.url },
        credentials: 'none',
      },
      environment: {
        CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${fake.url}/compute/v1/`,
        CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
        CLOUDSDK_CORE_PROJECT: 'trellis-fake',
      },
      notes: [
        'Compute Engine instances, networks, subnetworks, firewalls, Cloud Routers with NATs and addresses, and IAM service accounts on one port; GCS is a separate fake (startGcsFake).',
      ],
      close: () => fake.close(),
    };
  },
};
