import { createHash, randomUUID } from 'node:crypto';
import {
  type CallLog,
  type FakeResponse,
  type FaultInjector,
  jsonResponse,
  startFakeServer,
} from '@trellis/testkit/fake';
import { type AcsCall, AcsRequestError, acsActionOf, readAcsCall } from './acs-request.js';
import {
  describedInstance,
  type FakeEcsInstance,
  FakeEcsInstances,
  indexedDisks,
  indexedTags,
} from './ecs-fake-instances.js';

/** Options of {@link startEcsFake}. */
export interface EcsFakeOptions {
  /** The account's access keys (id → secret). @default one test key pair */
  readonly accessKeys?: Readonly<Record<string, string>>;
  /** How long a new instance stays `Pending` before it is `Running`. @default 50 */
  readonly pendingMs?: number;
  /** Calls per minute per action (Alibaba publishes them only in the account's quota center). */
  readonly rateLimitsPerMinute?: Readonly<Record<string, number>>;
}

/** A running ECS fake. */
export interface EcsFake {
  /** `127.0.0.1:<port>`: the SDK's `endpoint` (with `protocol: 'HTTP'`, no scheme). */
  readonly endpoint: string;
  readonly url: string;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** Every instance (any region), as the fake keeps it. */
  instances(): FakeEcsInstance[];
  /** Answers the next `times` calls of `action` with the cloud error `code` (`OperationDenied.NoStock`, …), handling nothing. */
  failNext(action: string, code: string, times?: number): void;
  close(): Promise<void>;
}

/** The test key pair the fake accepts by default. */
export const FAKE_ACCESS_KEY = {
  accessKeyId: 'LTAItrellisfake',
  accessKeySecret: 'trellis-fake-secret',
} as const;

/** HTTP statuses of the cloud's codes (those the docs and observed answers give; the rest 400). */
const STATUS: Readonly<Record<string, number>> = {
  'InvalidInstanceId.NotFound': 404,
  'InvalidAccessKeyId.NotFound': 404,
  IncorrectInstanceStatus: 403,
  'OperationDenied.NoStock': 403,
  'Zone.NotOnSale': 403,
  'QuotaExceed.ElasticQuota': 403,
  Forbidden: 403,
  ServiceUnavailable: 503,
  InternalError: 500,
};

const errorBody = (code: string, message: string) => ({
  RequestId: randomUUID().toUpperCase(),
  HostId: 'ecs.aliyuncs.com',
  Code: code,
  Message: message,
  Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}`,
});
const error = (code: string, message: string, headers: Record<string, string> = {}): FakeResponse =>
  jsonResponse(STATUS[code] ?? 400, errorBody(code, message), headers);
const ok = (body: Record<string, unknown>): FakeResponse =>
  jsonResponse(200, { RequestId: randomUUID().toUpperCase(), ...body });

/**
 * An offline ECS: one HTTP server answering the Tea SDKs (`@alicloud/ecs20140526`, ACS3 signatures,
 * `x-acs-action`) and the RPC v1 clients (`@alicloud/pop-core`, `Action` + `Signature`), both
 * verified. RunInstances (tags, `ClientToken` with `IdempotentParameterMismatch`, `Amount`),
 * DescribeInstances (`InstanceIds` as a JSON string of at most 100, `InstanceName` with `*`, tag AND
 * filters, `NextToken`/`MaxResults` within 10..100), DeleteInstance (`Force`; a `Pending`
 * instance is `IncorrectInstanceStatus`, 403) and DeleteInstances; instances go `Pending` →
 * `Running`. Errors in the cloud's JSON; per-minute rate limits per action answered
 * `Throttling.User` with `x-acs-retry-after`; the kit's faults and call log.
 */
export async function startEcsFake(options: EcsFakeOptions = {}): Promise<EcsFake> {
  const secrets = new Map(
    Object.entries(options.accessKeys ?? { [FAKE_ACCESS_KEY.accessKeyId]: FAKE_ACCESS_KEY.accessKeySecret }),
  );
  const instances = new FakeEcsInstances(options.pendingMs ?? 50);
  const tokens = new Map<string, { hash: string; answer: Record<string, unknown> }>();
  const injected: Array<{ action: string; code: string; times: number }> = [];
  let addresses = 0;

  const runInstances = ({ params }: AcsCall): FakeResponse => {
    for (const field of ['RegionId', 'ImageId', 'InstanceType']) {
      if (params[field] === undefined)
        return error(
          'MissingParameter',
          `The input parameter "${field}" that is mandatory for processing this request is not supplied.`,
        );
    }
    const amount = Number(params.Amount ?? 1);
    if (!Number.isInteger(amount) || amount < 1 || amount > 100)
      return error('InvalidParameter', 'The specified parameter "Amount" is not valid (1 to 100).');
    const token = params.ClientToken;
    if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)))
      return error('InvalidParameter', 'The specified parameter "ClientToken" is not valid.');
    const hash = createHash('sha256')
      .update(JSON.stringify(Object.entries(params).sort()))
      .digest('hex');
    const remembered = token === undefined ? undefined : tokens.get(`RunInstances/${token}`);
    if (remembered) {
      if (remembered.hash !== hash)
        return error(
          'IdempotentParameterMismatch',
          'The specified parameter has changed while using an already used clientToken.',
        );
      return ok(remembered.answer);
    }
    const tags = Object.fromEntries(indexedTags(params).map((tag) => [tag.key, tag.value ?? '']));
    const made = Array.from({ length: amount }, () => {
      addresses += 1;
      return instances.create({
        InstanceName: params.InstanceName ?? '',
        RegionId: params.RegionId!,
        ZoneId: params.ZoneId ?? `${params.RegionId}-a`,
        InstanceType: params.InstanceType!,
        ImageId: params.ImageId!,
        VSwitchId: params.VSwitchId ?? '',
        SecurityGroupId: params.SecurityGroupId ?? '',
        PrivateIpAddress: params.PrivateIpAddress ?? `10.0.${(addresses >> 8) & 255}.${addresses & 255}`,
        Tags: tags,
        DataDisks: indexedDisks(params),
      });
    });
    const answer = {
      InstanceIdSets: { InstanceIdSet: made.map((instance) => instance.InstanceId) },
      OrderId: String(Date.now()),
      TradePrice: 0,
    };
    if (token !== undefined) tokens.set(`RunInstances/${token}`, { hash, answer });
    return ok(answer);
  };

  const describeInstances = ({ params }: AcsCall): FakeResponse => {
    if (params.RegionId === undefined) return error('MissingParameter', 'RegionId is mandatory.');
    const { page, total, nextToken, maxResults } = instances.describe(params);
    return ok({
      TotalCount: total,
      PageNumber: 1,
      PageSize: maxResults,
      NextToken: nextToken,
      Instances: { Instance: page.map(describedInstance) },
    });
  };

  const deleteOne = (id: string | undefined, force: boolean): FakeResponse | undefined => {
    const instance = id ? instances.get(id) : undefined;
    if (!instance) return error('InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
    if (instance.Status === 'Pending' || (instance.Status === 'Running' && !force))
      return error(
        'IncorrectInstanceStatus',
        `The current status of the resource does not support this operation (${instance.Status}).`,
      );
    return undefined;
  };
  const deleteInstance = ({ params }: AcsCall): FakeResponse => {
    const refused = deleteOne(params.InstanceId, params.Force === 'true');
    if (refused) return refused;
    instances.delete(params.InstanceId!);
    return ok({});
  };
  const deleteInstances = ({ params }: AcsCall): FakeResponse => {
    const ids = Object.entries(params)
      .filter(([key]) => /^InstanceId\.\d+$/.test(key))
      .map(([, value]) => value);
    for (const id of ids) {
      const refused = deleteOne(id, params.Force === 'true');
      if (refused) return refused;
    }
    for (const id of ids) instances.delete(id);
    return ok({});
  };

  const handlers: Readonly<Record<string, (call: AcsCall) => FakeResponse>> = {
    RunInstances: runInstances,
    DescribeInstances: describeInstances,
    DeleteInstance: deleteInstance,
    DeleteInstances: deleteInstances,
  };

  const limits = options.rateLimitsPerMinute ?? {};
  const server = await startFakeServer({
    actionOf: acsActionOf,
    handle: (request) => {
      let call: AcsCall;
      try {
        call = readAcsCall(request, secrets);
      } catch (failure) {
        if (failure instanceof AcsRequestError) return error(failure.code, failure.message);
        throw failure;
      }
      const rule = injected.find((entry) => entry.action === call.action && entry.times > 0);
      if (rule) {
        rule.times -= 1;
        return error(rule.code, `Injected ${rule.code}.`);
      }
      const handler = handlers[call.action];
      if (!handler) return error('InvalidAction.NotFound', `Specified api "${call.action}" is not found.`);
      try {
        return handler(call);
      } catch (failure) {
        if (failure instanceof AcsRequestError) return error(failure.code, failure.message);
        throw failure;
      }
    },
    renderFault: (kind, _request, status) =>
      kind === 'throttle'
        ? error('Throttling.User', 'Request was denied due to user flow control.', {
            'x-acs-retry-after': '1',
          })
        : jsonResponse(
            status,
            errorBody(
              status === 503 ? 'ServiceUnavailable' : 'InternalError',
              'The request processing has failed due to some unknown error.',
            ),
          ),
    rateLimits: {
      buckets: Object.fromEntries(
        Object.entries(limits).map(([action, perMinute]) => [
          action,
          { capacity: perMinute, refillPerSecond: perMinute / 60 },
        ]),
      ),
      classify: (action) => (action in limits ? [{ bucket: action, tokens: 1 }] : []),
    },
  });

  return {
    endpoint: `127.0.0.1:${server.port}`,
    url: server.url,
    calls: server.calls,
    faults: server.faults,
    instances: () => instances.all(),
    failNext(action, code, times = 1) {
      injected.push({ action, code, times });
    },
    close: () => server.close(),
  };
}
