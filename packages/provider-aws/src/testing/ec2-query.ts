import { FakeApiError, missingParameter } from './ec2-errors.js';

interface QueryNode {
  value?: string;
  children: Map<string, QueryNode>;
}

/** One describe filter: `Filter.N.Name` and its `Filter.N.Value.M` values. */
export interface QueryFilter {
  name: string;
  values: string[];
}

/** One tag, as sent in `Tag.N.Key` / `Tag.N.Value`. */
export interface QueryTag {
  key: string;
  value: string;
}

/** One `TagSpecification.N` (`ResourceType` and `Tag.M.Key/Value`). */
export interface QueryTagSpecification {
  resourceType: string;
  tags: QueryTag[];
}

const isIndex = (segment: string) => /^\d+$/.test(segment);

/**
 * The parameters of an AWS query request (`Action=...&Version=...&Filter.1.Name=...`) as a tree:
 * dotted names become nesting, numbered segments become lists (EC2's flattened lists and IAM's
 * `member.N` lists alike).
 */
export class QueryParams {
  readonly #node: QueryNode;

  private constructor(node: QueryNode) {
    this.#node = node;
  }

  /** Parses a form-encoded body (and optionally the URL's query string). */
  static parse(body: string, search?: URLSearchParams): QueryParams {
    const root: QueryNode = { children: new Map() };
    const add = (key: string, value: string) => {
      let node = root;
      for (const segment of key.split('.')) {
        let child = node.children.get(segment);
        if (!child) {
          child = { children: new Map() };
          node.children.set(segment, child);
        }
        node = child;
      }
      node.value = value;
    };
    if (search) for (const [key, value] of search) add(key, value);
    for (const [key, value] of new URLSearchParams(body)) add(key, value);
    return new QueryParams(root);
  }

  /** Every leaf as `name=value` pairs, sorted (for comparing two requests' parameters). */
  fingerprint(exclude: string[] = []): string {
    const pairs: string[] = [];
    const walk = (node: QueryNode, path: string) => {
      if (node.value !== undefined && !exclude.includes(path)) pairs.push(`${path}=${node.value}`);
      for (const [segment, child] of node.children) walk(child, path ? `${path}.${segment}` : segment);
    };
    walk(this.#node, '');
    return pairs.sort().join('&');
  }

  has(name: string): boolean {
    return this.#node.children.has(name);
  }

  string(name: string): string | undefined {
    return this.#node.children.get(name)?.value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  int(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) {
      throw new FakeApiError('InvalidParameterValue', `Value (${value}) for parameter ${name} is invalid.`);
    }
    return Number(value);
  }

  bool(name: string): boolean | undefined {
    const value = this.string(name);
    return value === undefined ? undefined : value === 'true';
  }

  /** A nested structure (`Placement.AvailabilityZone` → `child('Placement').string('AvailabilityZone')`). */
  child(name: string): QueryParams | undefined {
    const node = this.#node.children.get(name);
    return node ? new QueryParams(node) : undefined;
  }

  /** A list of structures: `Name.1.x`, `Name.2.x` (or IAM's `Name.member.1.x`), in index order. */
  list(name: string): QueryParams[] {
    let node = this.#node.children.get(name);
    if (!node) return [];
    const member = node.children.get('member');
    if (member && [...member.children.keys()].every(isIndex)) node = member;
    return [...node.children.entries()]
      .filter(([segment]) => isIndex(segment))
      .sort(([first], [second]) => Number(first) - Number(second))
      .map(([, child]) => new QueryParams(child));
  }

  /** A list of strings: `Name.1=a&Name.2=b` (or `Name.member.1=a`). */
  strings(name: string): string[] {
    return this.list(name)
      .map((item) => item.#node.value)
      .filter((value): value is string => value !== undefined);
  }

  /** `Filter.N.Name` / `Filter.N.Value.M`. */
  filters(): QueryFilter[] {
    return this.list('Filter').map((filter) => ({
      name: filter.required('Name'),
      values: filter.strings('Value'),
    }));
  }

  /** `<name>.N.Key` / `<name>.N.Value`. */
  tags(name = 'Tag'): QueryTag[] {
    return this.list(name).map((tag) => ({ key: tag.string('Key') ?? '', value: tag.string('Value') ?? '' }));
  }

  /** `TagSpecification.N.ResourceType` / `TagSpecification.N.Tag.M.Key|Value`. */
  tagSpecifications(): QueryTagSpecification[] {
    return this.list('TagSpecification').map((specification) => ({
      resourceType: specification.string('ResourceType') ?? '',
      tags: specification.tags('Tag'),
    }));
  }
}
