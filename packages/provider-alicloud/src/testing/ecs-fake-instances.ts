import { randomBytes } from 'node:crypto';
import { AcsRequestError } from './acs-request.js';

/** An ECS instance as the fake keeps it. */
export interface FakeEcsInstance {
  readonly InstanceId: string;
  readonly InstanceName: string;
  readonly RegionId: string;
  readonly ZoneId: string;
  readonly InstanceType: string;
  readonly ImageId: string;
  readonly CreationTime: string;
  readonly VSwitchId: string;
  readonly SecurityGroupId: string;
  readonly PrivateIpAddress: string;
  readonly Tags: Readonly<Record<string, string>>;
  readonly DataDisks: ReadonlyArray<Readonly<Record<string, string>>>;
  /** `Pending` until `runningAt`, then `Running`; `Stopped` when a test says so. */
  Status: 'Pending' | 'Running' | 'Stopped';
  runningAt: number;
}

/** `Tag.N.Key`/`Tag.N.Value` (N from 1), as the SDKs flatten a tag list. */
export function indexedTags(
  params: Readonly<Record<string, string>>,
): Array<{ key: string; value?: string }> {
  const tags: Array<{ key: string; value?: string }> = [];
  for (let index = 1; index <= 20; index++) {
    const key = params[`Tag.${index}.Key`];
    if (key === undefined) continue;
    const value = params[`Tag.${index}.Value`];
    tags.push(value === undefined ? { key } : { key, value });
  }
  return tags;
}

/** `DataDisk.N.*` parameters, one record per disk. */
export function indexedDisks(params: Readonly<Record<string, string>>): Array<Record<string, string>> {
  const disks: Array<Record<string, string>> = [];
  for (let index = 1; index <= 64; index++) {
    const prefix = `DataDisk.${index}.`;
    const disk = Object.fromEntries(
      Object.entries(params)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    if (Object.keys(disk).length > 0) disks.push(disk);
  }
  return disks;
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

/** The instances of one account: creation, DescribeInstances' filters and its NextToken pages. */
export class FakeEcsInstances {
  readonly #instances = new Map<string, FakeEcsInstance>();

  constructor(private readonly pendingMs: number) {}

  all(): FakeEcsInstance[] {
    this.#advance();
    return [...this.#instances.values()];
  }

  get(id: string): FakeEcsInstance | undefined {
    this.#advance();
    return this.#instances.get(id);
  }

  create(
    fields: Omit<FakeEcsInstance, 'InstanceId' | 'Status' | 'runningAt' | 'CreationTime'>,
  ): FakeEcsInstance {
    const instance: FakeEcsInstance = {
      ...fields,
      InstanceId: `i-${randomBytes(10).toString('hex').slice(0, 20)}`,
      CreationTime: new Date().toISOString().replace(/:\d\d\.\d+Z$/, 'Z'),
      Status: 'Pending',
      runningAt: Date.now() + this.pendingMs,
    };
    this.#instances.set(instance.InstanceId, instance);
    return instance;
  }

  delete(id: string): void {
    this.#instances.delete(id);
  }

  /** DescribeInstances: the filters, then one page. */
  describe(params: Readonly<Record<string, string>>): {
    page: FakeEcsInstance[];
    total: number;
    nextToken: string;
    maxResults: number;
  } {
    let found = this.all().filter((instance) => instance.RegionId === params.RegionId);
    if (params.InstanceIds !== undefined) {
      let ids: unknown;
      try {
        ids = JSON.parse(params.InstanceIds);
      } catch {
        ids = undefined;
      }
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
        throw new AcsRequestError(
          'InvalidParameter',
          400,
          'The specified parameter "InstanceIds" is not valid.',
        );
      if (ids.length > 100)
        throw new AcsRequestError(
          'InvalidParameter',
          400,
          'The parameter "InstanceIds" holds more than 100 ids.',
        );
      const wanted = new Set(ids as string[]);
      found = found.filter((instance) => wanted.has(instance.InstanceId));
    }
    if (params.InstanceName !== undefined) {
      const pattern = wildcard(params.InstanceName);
      found = found.filter((instance) => pattern.test(instance.InstanceName));
    }
    for (const field of ['ZoneId', 'VSwitchId', 'InstanceType', 'Status'] as const) {
      if (params[field] !== undefined) found = found.filter((instance) => instance[field] === params[field]);
    }
    for (const tag of indexedTags(params)) {
      found = found.filter((instance) =>
        tag.value === undefined ? tag.key in instance.Tags : instance.Tags[tag.key] === tag.value,
      );
    }
    found.sort((first, second) => first.InstanceId.localeCompare(second.InstanceId));
    // MaxResults: below 10 reads as 10, above 100 as 100 (the API's documented bounds).
    const maxResults = Math.min(100, Math.max(10, Number(params.MaxResults ?? 10) || 10));
    let offset = 0;
    if (params.NextToken) {
      const decoded = /^nt-(\d+)$/.exec(Buffer.from(params.NextToken, 'base64url').toString('utf8'));
      if (!decoded)
        throw new AcsRequestError('InvalidNextToken.Malformed', 400, 'The specified NextToken is invalid.');
      offset = Number(decoded[1]);
    }
    const page = found.slice(offset, offset + maxResults);
    const next =
      offset + maxResults < found.length
        ? Buffer.from(`nt-${offset + maxResults}`).toString('base64url')
        : '';
    return { page, total: found.length, nextToken: next, maxResults };
  }

  #advance(): void {
    const now = Date.now();
    for (const instance of this.#instances.values())
      if (instance.Status === 'Pending' && instance.runningAt <= now) instance.Status = 'Running';
  }
}

/** An instance as DescribeInstances answers it (PascalCase, lists in their wrapper objects). */
export function describedInstance(instance: FakeEcsInstance): Record<string, unknown> {
  return {
    InstanceId: instance.InstanceId,
    InstanceName: instance.InstanceName,
    HostName: instance.InstanceName,
    RegionId: instance.RegionId,
    ZoneId: instance.ZoneId,
    InstanceType: instance.InstanceType,
    ImageId: instance.ImageId,
    Status: instance.Status,
    CreationTime: instance.CreationTime,
    InstanceNetworkType: 'vpc',
    VpcAttributes: {
      VSwitchId: instance.VSwitchId,
      VpcId: '',
      PrivateIpAddress: { IpAddress: instance.PrivateIpAddress ? [instance.PrivateIpAddress] : [] },
    },
    SecurityGroupIds: { SecurityGroupId: instance.SecurityGroupId ? [instance.SecurityGroupId] : [] },
    PublicIpAddress: { IpAddress: [] },
    Tags: { Tag: Object.entries(instance.Tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
  };
}
