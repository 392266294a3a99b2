import { randomBytes } from 'node:crypto';
import { type AcsCall, AcsRequestError } from './acs-request.js';
import { indexedTags } from './ecs-fake-instances.js';

/** A handler of one action: the answer's body (without `RequestId`); throws {@link AcsRequestError} to refuse. */
export type FakeActionHandler = (call: AcsCall) => Record<string, unknown>;

/** What the network handlers ask of the rest of the fake. */
export interface FakeNetworkHooks {
  /** How many instances have `field` (`VSwitchId`, `SecurityGroupId`) set to `id`. */
  instancesUsing(field: 'VSwitchId' | 'SecurityGroupId', id: string): number;
  /** Whether an ECS instance exists (an EIP can be bound to it). */
  instanceExists(id: string): boolean;
}

/** What a fake VPC/ECS network resource is. */
export type FakeNetworkKind = 'vpc' | 'vswitch' | 'nat-gateway' | 'eip' | 'snat-entry' | 'security-group';

/** A network resource as the fake keeps it. */
export interface FakeNetworkResource {
  readonly id: string;
  readonly kind: FakeNetworkKind;
  readonly regionId: string;
  readonly name: string;
  readonly creationTime: string;
  /** Its status now (`Pending`, `Available`, `InUse`, …). */
  status: string;
  /** The status it takes (`gone`: it disappears) once `settlesAt` has passed. */
  settlesTo?: string;
  settlesAt?: number;
  readonly tags: Record<string, string>;
  /** Kind-specific fields, PascalCase as the API names them (`VpcId`, `CidrBlock`, `IpAddress`, …). */
  readonly fields: Record<string, string>;
}

/** Answers a call with the cloud error `code` (HTTP `status`). */
export function refuse(code: string, status: number, message: string): never {
  throw new AcsRequestError(code, status, message);
}

/** A parameter the action cannot do without. */
export function required(params: Readonly<Record<string, string>>, field: string): string {
  const value = params[field];
  if (value === undefined)
    refuse(
      'MissingParameter',
      400,
      `The input parameter "${field}" that is mandatory for processing this request is not supplied.`,
    );
  return value;
}

/** One page of a `PageNumber`/`PageSize` listing (the VPC API's: size 1..`maxSize`, default 10). */
export function numberedPage<T>(
  items: readonly T[],
  params: Readonly<Record<string, string>>,
  maxSize = 50,
): { items: T[]; TotalCount: number; PageNumber: number; PageSize: number } {
  const PageSize = Number(params.PageSize ?? 10);
  const PageNumber = Number(params.PageNumber ?? 1);
  if (!Number.isInteger(PageSize) || PageSize < 1 || PageSize > maxSize)
    refuse('InvalidPageSize', 400, `The specified PageSize is invalid (1 to ${maxSize}).`);
  if (!Number.isInteger(PageNumber) || PageNumber < 1)
    refuse('InvalidPageNumber', 400, 'The specified PageNumber is invalid.');
  const start = (PageNumber - 1) * PageSize;
  return { items: items.slice(start, start + PageSize), TotalCount: items.length, PageNumber, PageSize };
}

/** Tags as the VPC API answers them (`{ Tag: [{ Key, Value }] }`). */
export const keyValueTags = (tags: Readonly<Record<string, string>>) => ({
  Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
});
/** Tags as ECS and the NAT gateway listing answer them (`{ Tag: [{ TagKey, TagValue }] }`). */
export const tagKeyValueTags = (tags: Readonly<Record<string, string>>) => ({
  Tag: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
});

const ID_PREFIX: Readonly<Record<FakeNetworkKind, string>> = {
  vpc: 'vpc',
  vswitch: 'vsw',
  'nat-gateway': 'ngw',
  eip: 'eip',
  'snat-entry': 'snat',
  'security-group': 'sg',
};

/** A fake resource id of the cloud's shape (`vpc-` + 20 base36 characters). */
export const fakeId = (prefix: string) =>
  `${prefix}-${[...randomBytes(20)].map((byte) => (byte % 36).toString(36)).join('')}`;

/**
 * The network resources of one fake account: creation with tags, status transitions that settle
 * after a delay (`Pending → Available`, `Associating → InUse`, `Deleting → gone`), look-ups that
 * answer the kind's `*.NotFound` code, and tag AND filters.
 */
export class FakeResourceTable {
  readonly #resources = new Map<string, FakeNetworkResource>();

  constructor(readonly settleMs: number) {}

  create(
    kind: FakeNetworkKind,
    params: Readonly<Record<string, string>>,
    name: string,
    fields: Record<string, string>,
    settle?: { from: string; to: string },
  ): FakeNetworkResource {
    const tags = Object.fromEntries(indexedTags(params).map((tag) => [tag.key, tag.value ?? '']));
    const resource: FakeNetworkResource = {
      id: fakeId(ID_PREFIX[kind]),
      kind,
      regionId: params.RegionId ?? '',
      name,
      creationTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      status: settle?.from ?? 'Available',
      tags,
      fields,
    };
    if (settle) this.settle(resource, settle.from, settle.to);
    this.#resources.set(resource.id, resource);
    return resource;
  }

  /** Puts `resource` in status `now`, turning into `then` after the table's delay. */
  settle(resource: FakeNetworkResource, now: string, then: string): void {
    resource.status = now;
    resource.settlesTo = then;
    resource.settlesAt = Date.now() + this.settleMs;
  }

  /** Every resource of `kind` (all kinds without one), settled as of now. */
  list(kind?: FakeNetworkKind): FakeNetworkResource[] {
    this.#advance();
    return [...this.#resources.values()]
      .filter((resource) => kind === undefined || resource.kind === kind)
      .sort(
        (first, second) =>
          first.creationTime.localeCompare(second.creationTime) || first.id.localeCompare(second.id),
      );
  }

  find(kind: FakeNetworkKind, id: string | undefined): FakeNetworkResource | undefined {
    this.#advance();
    const resource = id === undefined ? undefined : this.#resources.get(id);
    return resource?.kind === kind ? resource : undefined;
  }

  /** The resource, or the call fails with `notFoundCode` (404). */
  get(kind: FakeNetworkKind, id: string | undefined, notFoundCode: string): FakeNetworkResource {
    const resource = this.find(kind, id);
    if (!resource) refuse(notFoundCode, 404, `The specified ${kind} ${id ?? ''} does not exist.`);
    return resource;
  }

  remove(id: string): void {
    this.#resources.delete(id);
  }

  /**
   * The resources of `kind` in the call's region matching `ids` (a comma list or JSON array, when
   * given), the field equalities, and every `Tag.N` of the call.
   */
  filter(
    kind: FakeNetworkKind,
    params: Readonly<Record<string, string>>,
    { ids, fields = {} }: { ids?: string | undefined; fields?: Record<string, string | undefined> },
  ): FakeNetworkResource[] {
    let found = this.list(kind).filter((resource) => resource.regionId === params.RegionId);
    if (ids !== undefined) {
      const wanted = new Set(ids.startsWith('[') ? (JSON.parse(ids) as string[]) : ids.split(','));
      found = found.filter((resource) => wanted.has(resource.id));
    }
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      found = found.filter((resource) =>
        field === 'Name'
          ? resource.name === value
          : field === 'Status'
            ? resource.status === value
            : resource.fields[field] === value,
      );
    }
    for (const tag of indexedTags(params)) {
      found = found.filter((resource) =>
        tag.value === undefined ? tag.key in resource.tags : resource.tags[tag.key] === tag.value,
      );
    }
    return found;
  }

  #advance(): void {
    const now = Date.now();
    for (const resource of [...this.#resources.values()]) {
      if (resource.settlesTo === undefined || (resource.settlesAt ?? 0) > now) continue;
      if (resource.settlesTo === 'gone') this.#resources.delete(resource.id);
      else resource.status = resource.settlesTo;
      delete resource.settlesTo;
      delete resource.settlesAt;
    }
  }
}
