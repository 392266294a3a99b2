import { randomUUID } from 'node:crypto';
import type { Clock } from '@trellis/provider-kit';
import {
  type CallLog,
  type FakeRequest,
  type FakeResponse,
  FaultInjector,
  startFakeServer,
} from '@trellis/testkit/fake';
import { ec2StatusOf, FakeApiError } from './ec2-errors.js';
import { createInspector, type Ec2FakeInspector } from './ec2-fake-inspector.js';
import { Ec2FakeState } from './ec2-fake-state.js';
import type { TransitionDelays } from './ec2-fake-types.js';
import { gatewayHandlers } from './ec2-gateways.js';
import type { ActionHandler } from './ec2-handler.js';
import { type FakeImage, ImageCatalog, imageHandlers } from './ec2-images.js';
import { instanceHandlers } from './ec2-instances.js';
import { keyPairHandlers } from './ec2-key-pairs.js';
import { natGatewayHandlers } from './ec2-nat-gateways.js';
import { QueryParams } from './ec2-query.js';
import { ec2RateLimits, type FakeRequestLimits } from './ec2-request-limits.js';
import { routeTableHandlers } from './ec2-route-tables.js';
import { securityGroupHandlers } from './ec2-security-groups.js';
import { tagHandlers } from './ec2-tags.js';
import { volumeHandlers } from './ec2-volumes.js';
import { vpcEndpointHandlers } from './ec2-vpc-endpoints.js';
import { vpcHandlers } from './ec2-vpcs.js';
import { ec2ErrorResponse, ec2Response, iamErrorResponse, iamResponse, type XmlObject } from './ec2-xml.js';
import { iamHandlers } from './iam-fake.js';

const IAM_VERSION = '2010-05-08';

/** Options of {@link startEc2Fake}. */
export interface Ec2FakeOptions {
  /** Region used when a request's signature names none. @default 'us-east-1' */
  region?: string;
  /** Seed of the fault injector's PRNG. @default 1 */
  seed?: number;
  /** Transition delays (pending → running etc.); see {@link TransitionDelays}. */
  delays?: Partial<TransitionDelays>;
  /** Live instances allowed at once; RunInstances beyond it fails with `InstanceLimitExceeded`. @default unlimited */
  maxInstances?: number;
  /**
   * Enforce EC2's request token buckets (`true` = EC2's documented defaults): calls beyond them are
   * answered `RequestLimitExceeded` (503), as EC2 does. Applies to EC2 actions, not IAM.
   * @default off
   */
  requestLimits?: boolean | FakeRequestLimits;
  /** Port to listen on. @default a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Time of the request token buckets (a manual clock scales them in tests). @default the real clock */
  clock?: Clock;
  /** The AMIs that exist. @default every well-formed `ami-…` id exists, with root device `/dev/xvda` */
  images?: FakeImage[];
}

/** An error the fake answers for the next calls of an action (e.g. `InsufficientInstanceCapacity`). */
export interface InjectedError {
  action: string;
  code: string;
  message?: string;
  /** @default EC2's status for the code (400, 500 or 503) */
  status?: number;
  /** How many calls fail. @default 1 */
  times?: number;
}

/** A running offline EC2 + IAM fake. */
export interface Ec2Fake {
  /** `http://127.0.0.1:<port>`: the endpoint for `EC2Client`, `IAMClient` and `aws --endpoint-url`. */
  readonly url: string;
  readonly port: number;
  /** The default region. */
  readonly region: string;
  /** Every call received, by action. */
  readonly calls: CallLog;
  /** Throttling, server errors, latency and lost responses, per action and by rate. */
  readonly faults: FaultInjector;
  /** Read-only views of the fake's resources. */
  readonly state: Ec2FakeInspector;
  /** Changes how long instances (and NAT gateways) stay in transitional states, from now on. */
  setInstanceTransitionDelays(delays: Partial<TransitionDelays>): void;
  /** Answers the next call(s) of an action with an error in EC2's (or IAM's) shape. Returns a remover. */
  injectError(error: InjectedError): () => void;
  /** Stops the server. */
  close(): Promise<void>;
}

function regionOf(request: FakeRequest, fallback: string): string {
  const authorization = request.headers.authorization;
  const text = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = text ? /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(text) : null;
  return match?.[1] ?? fallback;
}

function paramsOf(request: FakeRequest): QueryParams {
  return QueryParams.parse(request.body.toString('utf8'), request.url.searchParams);
}

/**
 * Starts the offline EC2 + IAM fake on 127.0.0.1 (a free port). It speaks EC2's query/XML protocol
 * (`Version=2016-11-15`) and IAM's (`Version=2010-05-08`) on the same endpoint.
 */
export async function startEc2Fake(options: Ec2FakeOptions = {}): Promise<Ec2Fake> {
  const defaultRegion = options.region ?? 'us-east-1';
  const state = new Ec2FakeState();
  state.delays = { ...state.delays, ...options.delays };
  const images = new ImageCatalog(options.images);
  const ec2Handlers: Record<string, ActionHandler> = {
    ...instanceHandlers({ maxInstances: options.maxInstances, images }),
    ...imageHandlers(images),
    ...tagHandlers,
    ...vpcHandlers,
    ...gatewayHandlers,
    ...natGatewayHandlers,
    ...routeTableHandlers,
    ...securityGroupHandlers,
    ...keyPairHandlers,
    ...vpcEndpointHandlers,
    ...volumeHandlers,
  };
  const injected: Array<InjectedError & { remaining: number }> = [];

  const handle = (request: FakeRequest): FakeResponse => {
    const requestId = randomUUID();
    const params = paramsOf(request);
    const action = params.string('Action') ?? '';
    const isIam = params.string('Version') === IAM_VERSION;
    const fail = (code: string, message: string, status: number) =>
      isIam
        ? iamErrorResponse(code, message, requestId, status)
        : ec2ErrorResponse(code, message, requestId, status);
    const injection = injected.find((entry) => entry.action === action && entry.remaining > 0);
    if (injection) {
      injection.remaining -= 1;
      return fail(
        injection.code,
        injection.message ?? injection.code,
        injection.status ?? ec2StatusOf(injection.code),
      );
    }
    const handlers = isIam ? iamHandlers : ec2Handlers;
    const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
    if (!handler)
      return fail(
        'InvalidAction',
        `The action ${action || '(none)'} is not valid for this web service.`,
        400,
      );
    if (params.bool('DryRun')) {
      return fail('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    }
    state.refresh();
    try {
      const body: XmlObject | undefined = handler({
        params,
        state,
        region: regionOf(request, defaultRegion),
        requestId,
      });
      return isIam ? iamResponse(action, requestId, body) : ec2Response(action, requestId, body ?? {});
    } catch (error) {
      if (error instanceof FakeApiError) return fail(error.code, error.message, error.status);
      // A defect of the fake itself: answer it loudly rather than as a plausible cloud error.
      const detail = error instanceof Error ? error.message : String(error);
      return fail('InternalError', `An internal error has occurred (EC2 fake defect: ${detail})`, 500);
    }
  };

  const server = await startFakeServer({
    actionOf: (request) => paramsOf(request).string('Action') ?? 'Unknown',
    handle,
    renderFault: (kind, request, status) => {
      const requestId = randomUUID();
      const isIam = paramsOf(request).string('Version') === IAM_VERSION;
      if (kind === 'throttle') {
        return isIam
          ? iamErrorResponse('Throttling', 'Rate exceeded', requestId, 400)
          : ec2ErrorResponse('RequestLimitExceeded', 'Request limit exceeded.', requestId, 503);
      }
      const code =
        status === 503
          ? isIam
            ? 'ServiceUnavailable'
            : 'Unavailable'
          : isIam
            ? 'ServiceFailure'
            : 'InternalError';
      const message =
        status === 503
          ? 'The service is unavailable. Please try again shortly.'
          : 'An internal error has occurred';
      return isIam
        ? iamErrorResponse(code, message, requestId, status)
        : ec2ErrorResponse(code, message, requestId, status);
    },
    faults: new FaultInjector({ seed: options.seed ?? 1 }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.requestLimits
      ? {
          rateLimits: ec2RateLimits(
            options.requestLimits === true ? {} : options.requestLimits,
            options.clock,
          ),
        }
      : {}),
  });

  return {
    url: server.url,
    port: server.port,
    region: defaultRegion,
    calls: server.calls,
    faults: server.faults,
    state: createInspector(state),
    setInstanceTransitionDelays(delays) {
      state.delays = { ...state.delays, ...delays };
    },
    injectError(error) {
      const entry = { ...error, remaining: error.times ?? 1 };
      injected.push(entry);
      return () => {
        entry.remaining = 0;
      };
    },
    close: () => server.close(),
  };
}
