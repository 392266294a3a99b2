import type { Clock, TokenBucketLimit } from '@trellis/provider-kit';
import {
  type CallLog,
  type FakeRequest,
  type FakeResponse,
  FaultInjector,
  jsonResponse,
  startFakeServer,
} from '@trellis/testkit/fake';
import { ArmFakeError, armErrorResponse } from './arm-errors.js';
import { ArmFakeState, type ArmOperationError, type ArmResource } from './arm-fake-state.js';
import { type ArmPath, groupKey, parseArmPath } from './arm-ids.js';
import { resourceHandlers } from './arm-resource-handlers.js';

/** Options of {@link startArmFake}. */
export interface ArmFakeOptions {
  /** Polls a long-running operation needs before it is done. @default 1 */
  operationPolls?: number;
  /**
   * How a PUT announces its long-running operation, as ARM resource providers differ:
   * `azure-async-operation` (a status body to poll), `location` (poll until 200), or `body` (no
   * header: the client polls the resource's `provisioningState`). Deletes answer with both headers
   * (`body` mode: `Location` only). @default 'azure-async-operation'
   */
  lroMode?: 'azure-async-operation' | 'location' | 'body';
  /** Items per list page (ARM's `nextLink` paging). @default 50 */
  pageSize?: number;
  /** Seed of the fault injector. @default 1 */
  seed?: number;
  /** `Retry-After` (seconds) on a throttled answer. @default 1 */
  retryAfterSeconds?: number;
  /**
   * Enforce ARM's per-subscription token buckets (reads, writes, deletes): a call beyond them is
   * answered 429 `TooManyRequests` with `Retry-After`. @default off
   */
  rateLimits?: { read: TokenBucketLimit; write: TokenBucketLimit; delete: TokenBucketLimit };
  /** Time of the rate limits (a manual clock scales them in tests). */
  clock?: Clock;
  /**
   * Take any resource group as existing, in this location (a test convenience for code that makes
   * one group per cluster; ARM itself answers `ResourceGroupNotFound`). @default off
   */
  autoResourceGroups?: string;
  /** @default a free port */
  port?: number;
}

/** A running offline ARM fake (HTTPS on 127.0.0.1). */
export interface ArmFake {
  /** `https://127.0.0.1:<port>`: the `endpoint` of the ARM clients. */
  readonly url: string;
  /** The PEM certificate the clients must trust (`tlsOptions.ca`). */
  readonly ca: string;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** Every resource that exists (not resource groups), as ARM's JSON. */
  resources(): ArmResource[];
  /** Every resource group that exists. */
  resourceGroups(): ArmResource[];
  /** Makes a resource group (what a user or the infrastructure provider would have made). */
  createResourceGroup(subscription: string, name: string, location: string): void;
  /** Makes the next VM create's operation end `Failed` with this error (the VM stays, `Failed`). */
  failNextVmCreate(error: ArmOperationError): void;
  close(): Promise<void>;
}

const VERBS: Record<string, string> = {
  PUT: 'createOrUpdate',
  GET: 'get',
  PATCH: 'update',
  DELETE: 'delete',
  HEAD: 'checkExistence',
};

/** The action a request asks for: `virtualMachines.createOrUpdate`, `networkInterfaces.list`, `operations.get`. */
function actionOf(path: ArmPath, method: string): string {
  switch (path.kind) {
    case 'resourceGroup':
      return `resourceGroups.${VERBS[method] ?? method}`;
    case 'resourceGroupResources':
      return 'resources.listByResourceGroup';
    case 'resource':
      return `${path.type.split('/').at(-1)}.${VERBS[method] ?? method}`;
    case 'collection':
      return `${path.type.split('/').at(-1)}.list`;
    case 'subscriptionCollection':
      return `${path.type.split('/').at(-1)}.listAll`;
    case 'operation':
      return 'operations.get';
    default:
      return 'Unknown';
  }
}

/**
 * Starts the offline ARM fake on HTTPS 127.0.0.1 (a fresh self-signed certificate: give the clients
 * `tlsOptions: { ca: fake.ca }`): resource groups (create, get, HEAD, cascading delete with
 * `Location` polling) and every resource type under them with ARM's create-or-update, get, patch,
 * delete and paged list semantics, long-running operations through `Azure-AsyncOperation`, VMs that
 * need their NICs and make, attach and (with `deleteOption: Delete`) take along their disks and NICs,
 * "in use" refusals (`NicInUse`, attached disks, `InUseSubnetCannotBeDeleted`), ARM's error bodies,
 * token buckets answering 429 with `Retry-After`, the kit's faults and call log.
 */
export async function startArmFake(options: ArmFakeOptions = {}): Promise<ArmFake> {
  const state = new ArmFakeState();
  state.operationPolls = options.operationPolls ?? 1;
  state.autoResourceGroups = options.autoResourceGroups;
  state.lroMode = options.lroMode ?? 'azure-async-operation';
  let baseUrl = '';
  const handlers = resourceHandlers(state, () => baseUrl, options.pageSize ?? 50);
  const retryAfter = String(options.retryAfterSeconds ?? 1);

  const route = (request: FakeRequest): FakeResponse => {
    const path = parseArmPath(request.url.pathname);
    switch (path.kind) {
      case 'resourceGroup':
        return handlers.resourceGroupOps(request, path);
      case 'resource':
        if (request.method === 'PUT') return handlers.put(request, path);
        if (request.method === 'PATCH') return handlers.patch(request, path);
        if (request.method === 'DELETE') return handlers.remove(request, path);
        return handlers.get(request, path);
      case 'collection':
        return handlers.list(request, path);
      case 'subscriptionCollection':
        return handlers.listInSubscription(request, path.subscription, path.type);
      case 'operation':
        return handlers.operationStatus(request, path.id);
      default:
        throw new ArmFakeError(
          404,
          'NoRegisteredProviderFound',
          `No route for ${request.method} ${request.url.pathname}`,
        );
    }
  };

  const handle = async (request: FakeRequest): Promise<FakeResponse> => {
    try {
      return route(request);
    } catch (error) {
      if (error instanceof ArmFakeError) return armErrorResponse(error);
      if (error instanceof SyntaxError)
        return armErrorResponse(
          new ArmFakeError(
            400,
            'InvalidRequestContent',
            'The request content was invalid and could not be deserialized.',
          ),
        );
      const detail = error instanceof Error ? error.message : String(error);
      return jsonResponse(500, {
        error: { code: 'InternalServerError', message: `ARM fake defect: ${detail}` },
      });
    }
  };

  const server = await startFakeServer({
    tls: true,
    actionOf: (request) => actionOf(parseArmPath(request.url.pathname), request.method),
    handle,
    renderFault: (kind, _request, status) =>
      kind === 'throttle'
        ? armErrorResponse(
            new ArmFakeError(
              429,
              'TooManyRequests',
              'The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:05:00.',
            ),
            { 'retry-after': retryAfter },
          )
        : armErrorResponse(
            new ArmFakeError(
              status === 500 ? 500 : 503,
              status === 500 ? 'InternalServerError' : 'ServiceUnavailable',
              'The server had an error while processing the request.',
            ),
          ),
    faults: new FaultInjector({ seed: options.seed ?? 1 }),
    ...(options.rateLimits
      ? {
          rateLimits: {
            buckets: options.rateLimits,
            classify: (action: string, request: FakeRequest) => {
              if (action === 'Unknown') return [];
              const bucket: 'read' | 'write' | 'delete' =
                request.method === 'GET' || request.method === 'HEAD'
                  ? 'read'
                  : request.method === 'DELETE'
                    ? 'delete'
                    : 'write';
              return [{ bucket, tokens: 1 }];
            },
            ...(options.clock ? { clock: options.clock } : {}),
          },
          rateLimitHeaders: (available: (bucket: string) => number | undefined) => {
            const headers: Record<string, string> = {};
            for (const [bucket, name] of [
              ['read', 'reads'],
              ['write', 'writes'],
              ['delete', 'deletes'],
            ]) {
              headers[`x-ms-ratelimit-remaining-subscription-${name}`] = String(
                Math.floor(available(bucket!) ?? 0),
              );
            }
            return headers;
          },
        }
      : {}),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  baseUrl = server.url;
  return {
    url: server.url,
    ca: server.ca!,
    calls: server.calls,
    faults: server.faults,
    resources: () => state.resources.list().map((entry) => structuredClone(entry.value)),
    resourceGroups: () => state.groups.list().map((entry) => structuredClone(entry.value)),
    createResourceGroup: (subscription, name, location) => {
      state.groups.put(groupKey(subscription, name), {
        id: `/subscriptions/${subscription}/resourceGroups/${name}`,
        name,
        type: 'Microsoft.Resources/resourceGroups',
        location,
        properties: { provisioningState: 'Succeeded' },
      });
    },
    failNextVmCreate: (error) => {
      state.vmCreateFailures.push(error);
    },
    close: () => server.close(),
  };
}
