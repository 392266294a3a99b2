import type { FakeDefinition } from '@trellis/core';
import type { Clock, TokenBucketLimit } from '@trellis/provider-kit';
import {
  type CallLog,
  type FakeRequest,
  type FakeResponse,
  FakeRouter,
  FaultInjector,
  jsonResponse,
  startFakeServer,
} from '@trellis/testkit/fake';
import { GceFakeError, gceErrorResponse, notFound } from './gce-errors.js';
import { type FakeInstance, type FakeOperationError, GceFakeState } from './gce-fake-state.js';
import { instanceHandlers } from './gce-instances.js';

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
  /** Makes the next insert's operation end `DONE` with this error (and no instance). */
  failNextInsert(error: FakeOperationError): void;
  close(): Promise<void>;
}

/**
 * Starts the offline GCE fake on 127.0.0.1: the compute v1 REST/JSON API for instances (insert,
 * get, list, aggregated list, delete) and zone operations (get, wait), with state, operations that
 * take a few polls, `requestId` de-duplication, `filter` (`=`, `!=`, `:*` on dotted paths) and
 * `maxResults` / `pageToken` paging, GCE's error bodies, the fake kit's faults and call log.
 */
export async function startGceFake(options: GceFakeOptions = {}): Promise<GceFake> {
  const state = new GceFakeState();
  state.operationPolls = options.operationPolls ?? 1;
  let baseUrl = '';
  const handlers = instanceHandlers(state, () => baseUrl);
  const zone = '/compute/v1/projects/{project}/zones/{zone}';
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
    .add('POST', `${zone}/operations/{operation}/wait`, 'compute.zoneOperations.wait', handlers.operation);

  const handle = async (request: FakeRequest): Promise<FakeResponse> => {
    try {
      return await router.handle(request);
    } catch (error) {
      if (error instanceof GceFakeError) return gceErrorResponse(error);
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
    if (options.latencyMs) fake.faults.add({ kind: 'latency', latencyMs: options.latencyMs });
    for (const fault of options.faults ?? []) {
      fake.faults.add({
        kind: fault.kind,
        ...(fault.rate === undefined ? {} : { rate: fault.rate }),
        ...(fault.actions ? { actions: [...fault.actions] } : {}),
      });
    }
    return {
      endpoints: { compute: fake.url },
      providerSettings: {
        project: 'trellis-fake',
        region: 'europe-west1',
        endpoints: { compute: fake.url },
        credentials: 'none',
      },
      environment: {
        CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${fake.url}/compute/v1/`,
        CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
        CLOUDSDK_CORE_PROJECT: 'trellis-fake',
      },
      notes: [
        'Compute Engine instances and zone operations only, so far: networks, routers, firewalls and GCS are not faked yet.',
      ],
      close: () => fake.close(),
    };
  },
};
