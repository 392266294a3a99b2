import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '@trellis/provider-kit';
import {
  type CallLog,
  type FakeResponse,
  type FaultInjector,
  jsonResponse,
  startFakeServer,
} from '@trellis/testkit/fake';
import { type AcsCall, AcsRequestError, acsActionOf, readAcsCall } from './acs-request.js';
import { type FakeDisk, FakeDisks } from './ecs-fake-disks.js';
import {
  describedInstance,
  type FakeEcsInstance,
  FakeEcsInstances,
  indexedDisks,
  indexedTags,
} from './ecs-fake-instances.js';
import { type FakeSecurityGroupRule, securityGroupHandlers } from './ecs-fake-security-groups.js';
import {
  type FakeActionHandler,
  type FakeNetworkKind,
  type FakeNetworkResource,
  FakeResourceTable,
  refuse,
  required,
} from './fake-resource-table.js';
import { vpcHandlers } from './vpc-fake-handlers.js';

/** Options of {@link startEcsFake}. */
export interface EcsFakeOptions {
  /** The account's access keys (id → secret). @default one test key pair */
  readonly accessKeys?: Readonly<Record<string, string>>;
  /**
   * How long a new instance stays `Pending` before it is `Running`, and a network resource in its
   * passing status (`Pending`, `Creating`, `Associating`, `Deleting`, …). @default 50
   */
  readonly pendingMs?: number;
  /** Calls per minute per action (Alibaba publishes them only in the account's quota center). */
  readonly rateLimitsPerMinute?: Readonly<Record<string, number>>;
  /** @default a free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The time of those limits: a scaled clock runs a minute's limit in less. @default the system clock */
  readonly clock?: Clock;
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
  /** Every VPC, vSwitch, NAT gateway, EIP, SNAT entry and security group (of one kind when given). */
  network(kind?: FakeNetworkKind): FakeNetworkResource[];
  /** Every disk: attached ones, and those left `Available` by a deleted instance. */
  disks(): FakeDisk[];
  /** The rules of a security group (none for an unknown one). */
  securityGroupRules(id: string): FakeSecurityGroupRule[];
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
const error = (
  code: string,
  message: string,
  headers: Record<string, string> = {},
  status = STATUS[code] ?? 400,
): FakeResponse => jsonResponse(status, errorBody(code, message), headers);
const ok = (body: Record<string, unknown>): FakeResponse =>
  jsonResponse(200, { RequestId: randomUUID().toUpperCase(), ...body });

/**
 * An offline ECS and VPC API: one HTTP server answering the Tea SDKs (`@alicloud/ecs20140526`, ACS3 signatures,
 * `x-acs-action`) and the RPC v1 clients (`@alicloud/pop-core`, `Action` + `Signature`), both
 * verified. RunInstances (tags, `ClientToken` with `IdempotentParameterMismatch`, `Amount`),
 * DescribeInstances (`InstanceIds` as a JSON string of at most 100, `InstanceName` with `*`, tag AND
 * filters, `NextToken`/`MaxResults` within 10..100), DeleteInstance (`Force`; a `Pending`
 * instance is `IncorrectInstanceStatus`, 403) and DeleteInstances; instances go `Pending` →
 * `Running`. The same server is the VPC API (point both SDK clients at it): VPCs, vSwitches,
 * Enhanced NAT gateways, EIPs and SNAT entries (see `vpcHandlers`), and ECS security groups.
 * Every `Create*`/`Allocate*`/`Associate*`/`RunInstances` call with a `ClientToken` runs once per
 * token. Errors in the cloud's JSON; per-minute rate limits per action answered
 * `Throttling.User` with `x-acs-retry-after`; the kit's faults and call log.
 */
export async function startEcsFake(options: EcsFakeOptions = {}): Promise<EcsFake> {
  const secrets = new Map(
    Object.entries(options.accessKeys ?? { [FAKE_ACCESS_KEY.accessKeyId]: FAKE_ACCESS_KEY.accessKeySecret }),
  );
  const instances = new FakeEcsInstances(options.pendingMs ?? 50);
  const disks = new FakeDisks();
  const tokens = new Map<string, { hash: string; answer: Record<string, unknown> }>();
  const injected: Array<{ action: string; code: string; times: number }> = [];
  let addresses = 0;

  const runInstances = ({ params }: AcsCall): Record<string, unknown> => {
    for (const field of ['RegionId', 'ImageId', 'InstanceType']) required(params, field);
    const amount = Number(params.Amount ?? 1);
    if (!Number.isInteger(amount) || amount < 1 || amount > 100)
      refuse('InvalidParameter', 400, 'The specified parameter "Amount" is not valid (1 to 100).');
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
    for (const instance of made) disks.attach(instance, params);
    return {
      InstanceIdSets: { InstanceIdSet: made.map((instance) => instance.InstanceId) },
      OrderId: String(Date.now()),
      TradePrice: 0,
    };
  };

  /**
   * A create with a `ClientToken` runs once: the same token with the same parameters is answered
   * with the first answer, with other parameters `IdempotentParameterMismatch`.
   */
  const idempotent =
    (action: string, handle: FakeActionHandler): FakeActionHandler =>
    (call) => {
      const token = call.params.ClientToken;
      if (token === undefined) return handle(call);
      if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token))
        refuse('InvalidParameter', 400, 'The specified parameter "ClientToken" is not valid.');
      const hash = createHash('sha256')
        .update(JSON.stringify(Object.entries(call.params).sort()))
        .digest('hex');
      const key = `${call.accessKeyId}/${action}/${token}`;
      const remembered = tokens.get(key);
      if (remembered) {
        if (remembered.hash !== hash)
          refuse(
            'IdempotentParameterMismatch',
            400,
            'The specified parameter has changed while using an already used clientToken.',
          );
        return remembered.answer;
      }
      const answer = handle(call);
      tokens.set(key, { hash, answer });
      return answer;
    };

  const describeInstances = ({ params }: AcsCall): Record<string, unknown> => {
    required(params, 'RegionId');
    const { page, total, nextToken, maxResults } = instances.describe(params);
    // The EIPs bound to instances, read once per page (not once per instance).
    const boundEips = new Map(
      network
        .list('eip')
        .filter((eip) => eip.fields.InstanceType === 'EcsInstance')
        .map((eip) => [eip.fields.InstanceId, eip]),
    );
    return {
      TotalCount: total,
      PageNumber: 1,
      PageSize: maxResults,
      NextToken: nextToken,
      Instances: {
        Instance: page.map((instance) => {
          const eip = boundEips.get(instance.InstanceId);
          return {
            ...describedInstance(instance),
            EipAddress: eip
              ? {
                  AllocationId: eip.id,
                  IpAddress: eip.fields.IpAddress,
                  InternetChargeType: eip.fields.InternetChargeType,
                }
              : { AllocationId: '', IpAddress: '' },
          };
        }),
      },
    };
  };

  const checkDeletable = (id: string | undefined, force: boolean): void => {
    const instance = id ? instances.get(id) : undefined;
    if (!instance) refuse('InvalidInstanceId.NotFound', 404, 'The specified InstanceId does not exist.');
    if (instance.Status === 'Pending' || (instance.Status === 'Running' && !force))
      refuse(
        'IncorrectInstanceStatus',
        403,
        `The current status of the resource does not support this operation (${instance.Status}).`,
      );
  };
  /** An instance goes: its disks go with it or stay detached; an EIP bound to it is unbound (ECS does both). */
  const releaseInstance = (id: string): void => {
    instances.delete(id);
    disks.release(id);
    for (const eip of network.list('eip')) {
      if (eip.fields.InstanceId !== id) continue;
      delete eip.fields.InstanceId;
      delete eip.fields.InstanceType;
      eip.status = 'Available';
    }
  };
  const deleteInstance = ({ params }: AcsCall): Record<string, unknown> => {
    checkDeletable(params.InstanceId, params.Force === 'true');
    releaseInstance(params.InstanceId!);
    return {};
  };
  const deleteInstances = ({ params }: AcsCall): Record<string, unknown> => {
    const ids = Object.entries(params)
      .filter(([key]) => /^InstanceId\.\d+$/.test(key))
      .map(([, value]) => value);
    for (const id of ids) checkDeletable(id, params.Force === 'true');
    for (const id of ids) releaseInstance(id);
    return {};
  };

  const network = new FakeResourceTable(options.pendingMs ?? 50);
  const rules = new Map<string, FakeSecurityGroupRule[]>();
  const hooks = {
    instancesUsing: (field: 'VSwitchId' | 'SecurityGroupId', id: string) =>
      instances.all().filter((instance) => instance[field] === id).length,
    instanceExists: (id: string) => instances.get(id) !== undefined,
  };
  const plain: Readonly<Record<string, FakeActionHandler>> = {
    RunInstances: runInstances,
    DescribeInstances: describeInstances,
    DeleteInstance: deleteInstance,
    DeleteInstances: deleteInstances,
    DescribeDisks: (call) => disks.describe(call),
    ...securityGroupHandlers(network, hooks, rules),
    ...vpcHandlers(network, hooks),
  };
  const handlers: Readonly<Record<string, FakeActionHandler>> = Object.fromEntries(
    Object.entries(plain).map(([action, handle]) => [
      action,
      /^(Run|Create|Allocate|Associate)/.test(action) ? idempotent(action, handle) : handle,
    ]),
  );

  const limits = options.rateLimitsPerMinute ?? {};
  const server = await startFakeServer({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
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
        return ok(handler(call));
      } catch (failure) {
        if (failure instanceof AcsRequestError)
          return error(failure.code, failure.message, {}, failure.status);
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
      ...(options.clock ? { clock: options.clock } : {}),
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
    network: (kind) => network.list(kind),
    securityGroupRules: (id) => [...(rules.get(id) ?? [])],
    disks: () => disks.all(),
    failNext(action, code, times = 1) {
      injected.push({ action, code, times });
    },
    close: () => server.close(),
  };
}
